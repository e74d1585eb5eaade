"""The vault (DESIGN §5): envelope encryption of T3–T5 text, its model field and key rotation."""

from __future__ import annotations

import base64
import uuid
from io import StringIO

import pytest
from django.core import serializers
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.forms.models import model_to_dict
from django.test.utils import isolate_apps
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.vaultapp.models import Note
from trellis.core import vault

KEY_A, KEY_B, KEY_C = vault.new_key(), vault.new_key(), vault.new_key()
ID_A, ID_B, ID_C = (vault.key_id(base64.urlsafe_b64decode(k)) for k in (KEY_A, KEY_B, KEY_C))
SECRET = "I doubt I can lead the Q3 reorg — Zoë"


@pytest.fixture
def keys(settings):  # type: ignore[no-untyped-def]
    """keys("B,A") configures KEY_B (active) and KEY_A (decrypt only)."""

    def use(spec: str) -> None:
        settings.TRELLIS_VAULT_KEYS = ",".join({"A": KEY_A, "B": KEY_B, "C": KEY_C}[k] for k in spec.split(","))
        settings.TRELLIS_VAULT_KEY_FILE = ""

    use("A")
    return use


def stored(note: Note, field: str = "body") -> str:
    """The blob as the database holds it."""
    return Note.objects.values_list(f"{field}_sealed", flat=True).get(pk=note.pk)


def fresh(note: Note) -> Note:
    return Note.objects.get(pk=note.pk)


def vault_cmd(*args: str) -> str:
    out = StringIO()
    call_command("vault", *args, stdout=out)
    return out.getvalue()


# --- Sealing and the AD binding ---------------------------------------------------------------------------


def test_round_trip_through_the_database(keys, northwind) -> None:  # type: ignore[no-untyped-def]
    note = Note.objects.create(organization=northwind, body=SECRET)
    assert note.body == SECRET
    loaded = fresh(note)
    assert loaded.body == SECRET
    assert loaded.reflection is None
    blob = stored(note)
    assert blob.startswith(f"v1.{ID_A}.") and SECRET not in blob

    loaded.body = "Second thoughts"
    loaded.reflection = "a private aside"
    loaded.save()
    again = fresh(note)
    assert (again.body, again.reflection) == ("Second thoughts", "a private aside")
    assert stored(note) != blob  # re-sealed with a new data key


def test_empty_and_null_are_stored_without_ciphertext(keys, northwind) -> None:  # type: ignore[no-untyped-def]
    note = Note.objects.create(organization=northwind, body="", reflection=None)
    assert Note.objects.values_list("body_sealed", "reflection_sealed").get(pk=note.pk) == ("", None)
    assert (fresh(note).body, fresh(note).reflection) == ("", None)
    assert Note.objects.filter(body__sealed=True, pk=note.pk).count() == 0
    assert Note.objects.filter(reflection__isnull=True, pk=note.pk).count() == 1


def test_a_blob_copied_to_another_row_does_not_open(keys, northwind) -> None:  # type: ignore[no-untyped-def]
    original = Note.objects.create(organization=northwind, body=SECRET)
    other = Note.objects.create(organization=northwind, body="mine")
    Note.objects.filter(pk=other.pk).update(body_sealed=stored(original))
    with pytest.raises(vault.VaultError) as err:
        _ = fresh(other).body
    assert str(other.public_id) in str(err.value) and ID_A in str(err.value)
    assert SECRET not in str(err.value)


def test_a_blob_copied_to_another_field_does_not_open(keys, northwind) -> None:  # type: ignore[no-untyped-def]
    note = Note.objects.create(organization=northwind, body=SECRET)
    Note.objects.filter(pk=note.pk).update(reflection_sealed=stored(note))
    loaded = fresh(note)
    assert loaded.body == SECRET
    with pytest.raises(vault.VaultError, match="field 'reflection'"):
        _ = loaded.reflection


def test_a_blob_moved_to_another_organization_does_not_open(keys, northwind, globex) -> None:  # type: ignore[no-untyped-def]
    note = Note.objects.create(organization=northwind, body=SECRET)
    Note.objects.filter(pk=note.pk).update(organization=globex)
    with pytest.raises(vault.VaultError, match=f"organization {globex.pk}"):
        _ = fresh(note).body


def test_a_wrong_key_raises_naming_the_key_id(keys, northwind) -> None:  # type: ignore[no-untyped-def]
    note = Note.objects.create(organization=northwind, body=SECRET)
    keys("B")
    with pytest.raises(vault.VaultError) as err:
        _ = fresh(note).body
    assert err.value.key_id == ID_A and ID_A in str(err.value)


def test_an_altered_blob_raises(keys, northwind) -> None:  # type: ignore[no-untyped-def]
    note = Note.objects.create(organization=northwind, body=SECRET)
    blob = stored(note)
    flipped = blob[:-3] + ("A" if blob[-3] != "A" else "B") + blob[-2:]
    for bad in (flipped, blob[:40], f"v1.{ID_A}.{blob[-90:]}"):
        Note.objects.filter(pk=note.pk).update(body_sealed=bad)
        with pytest.raises(vault.VaultError):
            _ = fresh(note).body


def test_the_database_holds_no_plaintext(keys, northwind, globex) -> None:  # type: ignore[no-untyped-def]
    texts = [SECRET, "Coaching goal: stop rescuing the team", "Journal: 😬 tough week"]
    for i, text in enumerate(texts):
        Note.objects.create(organization=(northwind, globex)[i % 2], body=text, reflection=text.upper())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Note._meta.db_table}")  # noqa: S608 (a constant table name)
        dump = repr(cursor.fetchall())
    assert dump.count("v1.") >= 2 * len(texts)
    for text in texts:
        assert text not in dump and text.upper() not in dump
    for word in ("reorg", "rescuing", "Journal", "tough"):
        assert word not in dump


def test_values_serializers_and_forms(keys, northwind) -> None:  # type: ignore[no-untyped-def]
    note = Note.objects.create(organization=northwind, body=SECRET)
    # values()/values_list() read the column: ciphertext.
    assert Note.objects.values("body").get(pk=note.pk)["body"] == stored(note)
    # A fixture / dumpdata carries the blob, never the text.
    dumped = serializers.serialize("json", [fresh(note)])
    assert stored(note) in dumped and SECRET not in dumped
    # A ModelForm shows the plaintext as initial data.
    assert model_to_dict(fresh(note))["body"] == SECRET


def test_deferred_loading_opens_on_access(keys, northwind) -> None:  # type: ignore[no-untyped-def]
    note = Note.objects.create(organization=northwind, body=SECRET)
    deferred = Note.objects.only("id", "organization", "public_id").get(pk=note.pk)
    assert deferred.body == SECRET
    deferred = Note.objects.defer("body").get(pk=note.pk)
    deferred.body = "changed while deferred"
    deferred.save()
    assert fresh(note).body == "changed while deferred"


def test_refresh_from_db_discards_an_unsaved_assignment(keys, northwind) -> None:  # type: ignore[no-untyped-def]
    note = Note.objects.create(organization=northwind, body=SECRET)
    note.body = "not saved"
    note.refresh_from_db()
    assert note.body == SECRET


def test_bulk_create_and_bulk_update_seal(keys, northwind) -> None:  # type: ignore[no-untyped-def]
    notes = Note.objects.bulk_create([Note(organization=northwind, body=f"bulk {i}") for i in range(3)])
    for note in notes:
        note.body = note.body.replace("bulk", "edited")
    Note.objects.bulk_update(notes, ["body"])
    loaded = Note.objects.filter(pk__in=[n.pk for n in notes]).order_by("pk")
    assert [n.body for n in loaded] == ["edited 0", "edited 1", "edited 2"]
    assert all(vault.is_blob(b) for b in loaded.values_list("body_sealed", flat=True))


def test_plaintext_cannot_be_searched_or_written_around_the_field(keys, northwind) -> None:  # type: ignore[no-untyped-def]
    note = Note.objects.create(organization=northwind, body=SECRET)
    with pytest.raises(FieldError):
        Note.objects.filter(body=SECRET).count()
    with pytest.raises(FieldError):
        Note.objects.filter(body__icontains="reorg").count()
    with pytest.raises(ValueError, match="sealed values only"), transaction.atomic():
        Note.objects.filter(pk=note.pk).update(body="plaintext sneaking in")
    assert fresh(note).body == SECRET
    with pytest.raises(TypeError):
        note.body = 42  # type: ignore[assignment]


def test_full_clean_validates_the_plaintext(keys, northwind) -> None:  # type: ignore[no-untyped-def]
    note = Note(organization=northwind, body="")
    with pytest.raises(ValidationError) as err:
        note.full_clean()
    assert "body" in err.value.message_dict
    note.body = "x" * 20_000
    note.full_clean()
    note.save()
    assert fresh(note).body == "x" * 20_000


def test_sealing_needs_an_organization(keys) -> None:  # type: ignore[no-untyped-def]
    note = Note(body=SECRET)
    with pytest.raises(vault.VaultError, match="organization"):
        _ = note.body_sealed  # what save() writes


@given(text=st.text(max_size=300))
@hsettings(max_examples=60, deadline=None)
def test_any_unicode_text_round_trips(text: str) -> None:
    context = vault.Context(7, "vaultapp.note", uuid.UUID(int=1), "body")
    blob = vault.seal(text, context)
    assert vault.is_blob(blob) and vault.unseal(blob, context) == text
    if text:
        with pytest.raises(vault.VaultError):
            vault.unseal(blob, vault.Context(8, "vaultapp.note", uuid.UUID(int=1), "body"))


# --- Key configuration --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "No vault key configured"),
        ("not base64!!", "entry 1 is not url-safe base64"),
        (f"{KEY_A},{base64.urlsafe_b64encode(b'short').decode()}", "entry 2 decodes to 5 bytes"),
        (f"{KEY_A},{KEY_A}", f"entry 2 repeats vault key {ID_A}"),
    ],
    ids=["empty", "not-base64", "short", "repeated"],  # the keys are random: ids must not show them
)
def test_malformed_keys_are_improperly_configured(settings, value, message) -> None:  # type: ignore[no-untyped-def]
    settings.TRELLIS_VAULT_KEYS, settings.TRELLIS_VAULT_KEY_FILE = value, ""
    with pytest.raises(ImproperlyConfigured, match=message) as err:
        vault.keyring()
    assert KEY_A not in str(err.value)  # secrets never appear in the message


def test_keys_from_a_file(settings, tmp_path, northwind) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "vault.keys"
    path.write_text(f"# active first\n{KEY_B}\n\n{KEY_A}\n")
    settings.TRELLIS_VAULT_KEYS, settings.TRELLIS_VAULT_KEY_FILE = "", str(path)
    assert vault.keyring().ids == (ID_B, ID_A)
    assert Note.objects.create(organization=northwind, body=SECRET).body == SECRET

    settings.TRELLIS_VAULT_KEYS = KEY_A
    with pytest.raises(ImproperlyConfigured, match="not both"):
        vault.keyring()
    settings.TRELLIS_VAULT_KEYS, settings.TRELLIS_VAULT_KEY_FILE = "", str(tmp_path / "missing")
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        vault.keyring()
    # The system check reports it too.
    assert [e.id for e in vault.check_vault_keys()] == ["trellis.vault.E010"]


def test_models_must_carry_organization_and_public_id() -> None:
    with isolate_apps("tests.vaultapp"):

        class Loose(models.Model):
            text = vault.SealedTextField(unique=True, default="hello")

            class Meta:
                app_label = "vaultapp"

            def __str__(self) -> str:
                return "loose"

        ids = sorted(e.id for e in Loose._meta.get_field("text").check())
    assert ids == ["trellis.vault.E001", "trellis.vault.E002", "trellis.vault.E003", "trellis.vault.E004"]
    assert Note._meta.get_field("body").check() == []


# --- Rotation -----------------------------------------------------------------------------------------------


@pytest.fixture
def only_notes(db):  # type: ignore[no-untyped-def]
    """Rotation counts every sealed value in the database: remove the product apps' demo records (sealed under
    the test settings' key, e.g. coaching notes) first, inside the test's transaction."""
    for model, _field in vault.sealed_fields():
        if model is not Note:
            model._default_manager.all().delete()


def key_ids() -> list[str]:
    blobs = [b for pair in Note.objects.values_list("body_sealed", "reflection_sealed") for b in pair]
    return sorted(vault.blob_key_id(b) for b in blobs if b)


def test_rotation_rewraps_under_the_new_key(keys, only_notes, northwind, globex) -> None:  # type: ignore[no-untyped-def]
    texts = [f"note {i}: {SECRET}" for i in range(5)]
    notes = [
        Note.objects.create(organization=(northwind, globex)[i % 2], body=t, reflection=t[::-1] if i < 2 else None)
        for i, t in enumerate(texts)
    ]
    before = {n.pk: vault._parse(stored(n))[1] for n in notes}
    assert key_ids() == [ID_A] * 7

    keys("B,A")  # a new active key; the old one still opens everything
    assert [fresh(n).body for n in notes] == texts
    assert f"{ID_A} 5" in vault_cmd("status")

    out = vault_cmd("rotate", "--batch-size", "2")
    assert "vaultapp.note.body: 5 of 5 re-wrapped" in out and "rotation complete: 7 re-wrapped" in out
    assert key_ids() == [ID_B] * 7
    # Only the wrapped data key changed: the payload (nonce, ciphertext, tag) is byte-for-byte the same.
    for note in notes:
        raw_before, raw_after = before[note.pk], vault._parse(stored(note))[1]
        assert raw_after[vault.WRAPPED_BYTES :] == raw_before[vault.WRAPPED_BYTES :]
        assert raw_after[: vault.WRAPPED_BYTES] != raw_before[: vault.WRAPPED_BYTES]

    keys("B")  # the old key is retired
    assert [fresh(n).body for n in notes] == texts
    assert [fresh(n).reflection for n in notes[:2]] == [t[::-1] for t in texts[:2]]
    assert "total: 7 sealed, 0 not under the active key" in vault_cmd("status")
    assert "nothing to re-wrap" in vault_cmd("rotate")


def test_rotation_is_resumable(keys, only_notes, northwind) -> None:  # type: ignore[no-untyped-def]
    notes = [Note.objects.create(organization=northwind, body=f"text {i}") for i in range(5)]
    keys("B,A")
    out = vault_cmd("rotate", "--batch-size", "1", "--limit", "2")
    assert "2 re-wrapped, 3 to go; run again" in out
    assert key_ids() == sorted([ID_A] * 3 + [ID_B] * 2)
    status = vault_cmd("status")
    assert f"{ID_A} 3" in status and f"{ID_B} 2" in status and "3 not under the active key" in status

    out = vault_cmd("rotate", "--batch-size", "2")
    assert "vaultapp.note.body: 3 of 3 re-wrapped" in out and "rotation complete: 3 re-wrapped" in out
    assert key_ids() == [ID_B] * 5
    keys("B")
    assert [fresh(n).body for n in notes] == [f"text {i}" for i in range(5)]


def test_rotation_fails_loudly_on_a_value_no_key_opens(keys, only_notes, northwind) -> None:  # type: ignore[no-untyped-def]
    orphan = Note.objects.create(organization=northwind, body="x")
    keys("C")  # a value sealed under key C, which is then forgotten
    Note.objects.filter(pk=orphan.pk).update(body_sealed=vault.seal("x", vault.Context(1, "a.b", uuid.uuid4(), "f")))
    keys("A")
    fine = Note.objects.create(organization=northwind, body="sealed under A")
    keys("B,A")
    with pytest.raises(CommandError, match=f"key {ID_C}: 1") as err:
        vault_cmd("rotate")
    assert str(orphan.public_id) in str(err.value)
    assert vault.blob_key_id(stored(fine)) == ID_B  # the others were still re-wrapped
    with pytest.raises(CommandError, match=f"not configured: {ID_C} \\(1\\)"):
        vault_cmd("status")
