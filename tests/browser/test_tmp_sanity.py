from tests.browser.conftest import run_axe, describe
def test_sanity(site, new_context, axe_source):
    page = new_context(bypass_csp=True).new_page()
    page.goto(site + "/login/")
    page.evaluate("() => { document.querySelector('label').remove(); document.querySelector('h1').style.color = '#ddd'; }")
    v = run_axe(page, axe_source)
    print(describe(v))
    all_ = page.evaluate("async () => (await axe.run()).violations.map(v => v.id + ':' + v.impact)")
    print(all_)
