// Progressive enhancement for the step-by-step questionnaire: after htmx swaps in a step, move the focus to
// its heading so keyboard and screen-reader users know where they are. Without JavaScript it is one form.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target && event.detail.target.id === "chooser") {
    const heading = document.getElementById("step-title");
    if (heading) heading.focus();
  }
});
