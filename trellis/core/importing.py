"""Import people from an HR system's CSV export: parse and validate into a :class:`Plan`, then apply it.

Columns: ``email,full_name,title,department,level,manager_email,languages,timezone,roles`` (``languages`` and
``roles`` separated by ``;``). Only ``email`` and ``full_name`` are required in the header; a column that is
left out is not managed by the import (existing members keep their value, new people get the default).

In a present column, a blank cell in ``title``, ``department``, ``manager_email`` or ``languages`` clears the
value; a blank ``level``, ``timezone`` or ``roles`` keeps the member's value (new people: level 1, UTC,
participant) — HR exports rarely know Trellis roles, and an org admin must not lose theirs by omission.

People are matched by e-mail, case-insensitively (addresses are stored lower-case). The import is all or
nothing: every bad row is reported with its line number, and nothing is written while any row is bad.
Applying runs in one transaction with bulk operations, and a few queries preload the organization, so the
number of queries does not grow with the number of rows (beyond batching).
"""

from __future__ import annotations

import csv
import functools
import io
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any
from zoneinfo import available_timezones

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from trellis.core import audit
from trellis.core.models import ROLE_VALUES, Membership, Organization, Role, User

COLUMNS = (
    "email",
    "full_name",
    "title",
    "department",
    "level",
    "manager_email",
    "languages",
    "timezone",
    "roles",
)
REQUIRED = ("email", "full_name")
FIELDS = ("full_name", "title", "department", "level", "manager", "languages", "timezone", "roles")
DEFAULTS: dict[str, Any] = {
    "title": "",
    "department": "",
    "level": 1,
    "manager": None,
    "languages": [],
    "timezone": "UTC",
    "roles": [str(Role.PARTICIPANT)],
}
MAX_TEXT = 200
_CHUNK = 2000  # rows per IN (...) lookup, well under every backend's parameter limit


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


# --- The plan -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    """A reason the import cannot run. ``line`` 0 is about the file as a whole, 1 is the header."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class Create:
    line: int
    email: str
    full_name: str
    values: dict[str, Any]  # membership fields; "manager" is an e-mail address
    user: User | None = field(default=None, repr=False)  # an existing account joining this organization


@dataclass
class Update:
    line: int
    email: str
    full_name: str
    changes: dict[str, tuple[Any, Any]]  # field → (old, new); "manager" as e-mail addresses
    membership: Membership = field(repr=False)

    @property
    def described(self) -> list[tuple[str, str, str]]:
        """(field, old, new) as text, for people to read."""
        return [(name.replace("_", " "), _text(old), _text(new)) for name, (old, new) in self.changes.items()]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "active" if value else "inactive"
    if isinstance(value, list):
        return "; ".join(value) or "—"
    return "—" if value in (None, "") else str(value)


@dataclass
class Deactivation:
    email: str
    full_name: str
    membership: Membership = field(repr=False)


@dataclass
class Plan:
    creates: list[Create] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    deactivations: list[Deactivation] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. who stays active although missing from the file
    member_ids: dict[str, int] = field(default_factory=dict, repr=False)  # e-mail → membership pk (existing)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    plan: Plan
    applied: bool
    dry_run: bool

    @property
    def errors(self) -> list[RowError]:
        return self.plan.errors

    @property
    def counts(self) -> dict[str, int]:
        p = self.plan
        return {
            "created": len(p.creates),
            "updated": len(p.updates),
            "deactivated": len(p.deactivations),
            "unchanged": p.unchanged,
        }

    def summary(self) -> str:
        return ", ".join(f"{verb} {n}" for verb, n in self.counts.items())


# --- Reading ------------------------------------------------------------------------------------------------
@dataclass
class _Row:
    line: int
    cells: dict[str, str]


def _decode(data: bytes | str) -> str:
    text = data if isinstance(data, str) else data.decode("utf-8-sig")
    return text.removeprefix("\ufeff")


def read_csv(file: IO[str] | IO[bytes] | bytes | str) -> tuple[list[str], list[_Row], list[RowError]]:
    """The header, the non-blank rows with their (first) line numbers, and what is wrong with the file.

    ``file`` is CSV content (bytes or text) or an open file; a ``str`` is content, never a path.
    """
    try:
        raw = file if isinstance(file, bytes | str) else file.read()
        text = _decode(raw)
    except UnicodeDecodeError:
        return [], [], [RowError(0, "", "the file is not UTF-8 text; export it as “CSV UTF-8”.")]
    if "\x00" in text:
        return [], [], [RowError(0, "", "the file is not a CSV text file.")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    rows: list[_Row] = []
    errors: list[RowError] = []
    try:
        line = 1
        for record in reader:
            if not header:
                header = [h.strip().lower() for h in record]
                if not any(header):
                    header = []  # blank lines before the header
            elif len(record) != len(header) and any(cell.strip() for cell in record):
                errors.append(RowError(line, "", f"expected {len(header)} fields, found {len(record)}."))
            elif any(cell.strip() for cell in record):
                rows.append(_Row(line, dict(zip(header, record, strict=True))))
            line = reader.line_num + 1
    except csv.Error as exc:
        return header, [], [RowError(reader.line_num, "", f"this is not valid CSV ({exc}).")]
    return header, rows, errors


def _rows_from_mappings(rows: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[_Row]]:
    """Rows given as mappings (e.g. from code or tests) get line numbers as if they followed a header line."""
    out: list[_Row] = []
    header: list[str] = []
    for i, row in enumerate(rows):
        cells = {str(k).strip().lower(): "" if v is None else str(v) for k, v in row.items()}
        if not header:
            header = list(cells)
        out.append(_Row(i + 2, cells))
    return header, out


def _check_header(header: list[str]) -> list[RowError]:
    if not header:
        return [RowError(1, "", "the file is empty; the first line must be the header: " + ",".join(COLUMNS))]
    errors = [RowError(1, c, "missing required column") for c in REQUIRED if c not in header]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            errors.append(RowError(1, name, "the column appears twice"))
        elif name not in COLUMNS:
            hint = " (the file must be comma-separated)" if ";" in name else ""
            errors.append(RowError(1, name or "(blank)", f"unknown column{hint}; expected: {', '.join(COLUMNS)}"))
        seen.add(name)
    return errors


# --- Validating one row -------------------------------------------------------------------------------------
def _split(value: str) -> list[str]:
    out: list[str] = []
    for part in value.split(";"):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def _parse_row(row: _Row, errors: list[RowError]) -> tuple[str, dict[str, Any], bool] | None:
    """(e-mail, given fields, whether the row is good); a field is omitted when its column is absent, or
    blank where blank keeps. None when the row has no e-mail address at all."""
    cells = {k: v.strip() for k, v in row.cells.items()}
    bad = len(errors)

    def err(column: str, message: str) -> None:
        errors.append(RowError(row.line, column, message))

    email = cells.get("email", "").lower()
    if not email:
        err("email", "an e-mail address is required")
    else:
        try:
            validate_email(email)
        except ValidationError:
            err("email", f"not a valid e-mail address: {email}")
    values: dict[str, Any] = {}
    full_name = cells.get("full_name", "")
    if not full_name:
        err("full_name", "a name is required")
    values["full_name"] = full_name
    for name in ("full_name", "title", "department"):
        if name in cells:
            if len(cells[name]) > MAX_TEXT:
                err(name, f"longer than {MAX_TEXT} characters")
            values[name] = cells[name]
    if cells.get("level"):
        try:
            level = int(cells["level"])
        except ValueError:
            level = 0
        if not 1 <= level <= 10:
            err("level", f"must be a whole number from 1 to 10, not {cells['level']!r}")
        values["level"] = level
    if "manager_email" in cells:
        values["manager"] = cells["manager_email"].lower() or None
    if "languages" in cells:
        values["languages"] = _split(cells["languages"])
    if cells.get("timezone"):
        if cells["timezone"] not in _zones():
            err(
                "timezone",
                f"unknown time zone {cells['timezone']!r} (use an IANA name such as Europe/Berlin)",
            )
        values["timezone"] = cells["timezone"]
    if cells.get("roles"):
        roles = _split(cells["roles"].lower())
        unknown = [r for r in roles if r not in ROLE_VALUES]
        if unknown:
            err("roles", f"unknown role {', '.join(unknown)} (known: {', '.join(sorted(ROLE_VALUES))})")
        values["roles"] = sorted(roles)
    return (email, values, len(errors) == bad) if email else None


# --- Planning -----------------------------------------------------------------------------------------------
def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def plan_import(
    *,
    organization: Organization,
    file: IO[str] | IO[bytes] | bytes | str | None = None,
    rows: Iterable[Mapping[str, Any]] | None = None,
    actor: User | None = None,
    deactivate_missing: bool = False,
) -> Plan:
    """Everything the import would do, and every reason it cannot. Reads only: a few queries, whatever the size."""
    plan = Plan()
    if (file is None) == (rows is None):
        raise TypeError("pass exactly one of file= or rows=")
    if file is not None:
        header, parsed, read_errors = read_csv(file)
        if read_errors and not parsed and not header:  # unreadable
            plan.errors = read_errors
            return plan
    else:
        header, parsed = _rows_from_mappings(rows or ())
        read_errors = []
    plan.errors = _check_header(header)
    if plan.errors:  # a bad header makes every row meaningless
        return plan
    plan.errors = read_errors  # rows with the wrong number of fields; the others are still checked

    wanted: dict[str, _Wanted] = {}  # e-mail → the row, in file order
    for row in parsed:
        result = _parse_row(row, plan.errors)
        if result is None:
            continue
        email, values, ok = result
        if email in wanted:
            first = wanted[email].line
            plan.errors.append(RowError(row.line, "email", f"duplicate e-mail {email} (first on line {first})"))
            continue
        wanted[email] = _Wanted(row.line, values, ok)

    chart = _Chart.load(organization)
    plan.member_ids = {e: m.pk for e, m in chart.by_email.items()}
    missing = {e for e in chart.by_email if e not in wanted and chart.active(e)} if deactivate_missing else set()
    if actor is not None and actor.email.lower() in missing:
        missing.discard(actor.email.lower())
        plan.notes.append(
            f"{actor.full_name} ({actor.email.lower()}) is not in the file but stays active: "
            "you are running the import."
        )
    plan.errors += _manager_errors(wanted, chart, missing)
    _plan_rows(plan, wanted, chart)
    _plan_deactivations(plan, organization, wanted, chart, missing)
    plan.errors.sort(key=lambda e: e.line)
    return plan


@dataclass
class _Wanted:
    line: int
    values: dict[str, Any]
    ok: bool


@dataclass
class _Chart:
    """The organization as it is: its memberships by e-mail, and each membership's e-mail by pk."""

    by_email: dict[str, Membership]
    email_of: dict[int, str]

    @classmethod
    def load(cls, organization: Organization) -> _Chart:
        members = list(Membership.objects.filter(organization=organization).select_related("user"))
        return cls({m.user.email.lower(): m for m in members}, {m.pk: m.user.email.lower() for m in members})

    def active(self, email: str) -> bool:
        m = self.by_email.get(email)
        return m is not None and m.is_active and m.user.is_active

    def manager_of(self, email: str) -> str | None:
        return self.email_of.get(self.by_email[email].manager_id or 0)


def _manager_errors(wanted: dict[str, _Wanted], chart: _Chart, missing: set[str]) -> list[RowError]:
    """Unknown managers, managers about to be deactivated, and reporting cycles (file + existing chart)."""
    errors: list[RowError] = []
    manager_of = {e: chart.manager_of(e) for e in chart.by_email}  # the rest keep their reporting line
    for email, row in wanted.items():
        if "manager" not in row.values:
            continue
        boss = manager_of[email] = row.values["manager"]
        if boss is None or boss in wanted:
            continue
        if not chart.active(boss):
            message = f"unknown manager {boss} (not in the file and not an active member)"
            errors.append(RowError(row.line, "manager_email", message))
        elif boss in missing:
            message = f"manager {boss} is not in the file and would be deactivated"
            errors.append(RowError(row.line, "manager_email", message))
    return errors + _cycles(manager_of, {e: row.line for e, row in wanted.items()})


def _plan_rows(plan: Plan, wanted: dict[str, _Wanted], chart: _Chart) -> None:
    """Creates, updates (with what changes) and the unchanged count; accounts of newcomers in few queries."""
    outsiders = [e for e, row in wanted.items() if e not in chart.by_email and row.ok]
    accounts: dict[str, User] = {}
    for chunk in _chunks(outsiders):
        accounts.update((u.email.lower(), u) for u in User.objects.filter(email__in=chunk))
    for email, row in wanted.items():
        if not row.ok:
            continue
        membership = chart.by_email.get(email)
        if membership is None:
            values = {k: row.values.get(k, default) for k, default in DEFAULTS.items()}
            plan.creates.append(Create(row.line, email, row.values["full_name"], values, accounts.get(email)))
        elif changes := _changes(membership, row.values, chart.email_of):
            plan.updates.append(Update(row.line, email, membership.user.full_name, changes, membership))
        else:
            plan.unchanged += 1


def _plan_deactivations(
    plan: Plan, organization: Organization, wanted: dict[str, _Wanted], chart: _Chart, missing: set[str]
) -> None:
    """Deactivate who is missing from the file, but never the last active org admin; and refuse role changes
    that would leave the organization without one."""
    admin = str(Role.ORG_ADMIN)
    admins_after = {e for e, m in chart.by_email.items() if e not in wanted and chart.active(e) and admin in m.roles}
    admins_after |= {
        e
        for e, row in wanted.items()
        if admin in row.values.get("roles", chart.by_email[e].roles if e in chart.by_email else [])
    }
    leaving: set[str] = set()
    for email in sorted(missing, key=lambda e: (chart.by_email[e].user.full_name, e)):
        m = chart.by_email[email]
        if admin in m.roles and not (admins_after - leaving - {email}):
            plan.notes.append(
                f"{m.user.full_name} ({email}) is not in the file but stays active: "
                f"{organization.name} needs at least one active org admin."
            )
            continue
        leaving.add(email)
        plan.deactivations.append(Deactivation(email, m.user.full_name, m))
    if admins_after - leaving:
        return
    for update in plan.updates:
        old, new = update.changes.get("roles", ([], []))
        if admin in old and admin not in new:
            message = f"this would leave {organization.name} without an active org admin"
            plan.errors.append(RowError(update.line, "roles", message))


def _changes(membership: Membership, values: dict[str, Any], email_of: dict[int, str]) -> dict[str, tuple[Any, Any]]:
    current: dict[str, Any] = {
        "full_name": membership.user.full_name,
        "title": membership.title,
        "department": membership.department,
        "level": membership.level,
        "manager": email_of.get(membership.manager_id or 0),
        "languages": list(membership.languages),
        "timezone": membership.timezone,
        "roles": sorted(membership.roles),
    }
    changes = {
        name: (current[name], values[name]) for name in FIELDS if name in values and values[name] != current[name]
    }
    if not membership.is_active:
        changes["is_active"] = (False, True)
    return changes


def _cycles(manager_of: Mapping[str, str | None], lines: Mapping[str, int]) -> list[RowError]:
    """Rows of the file on a reporting cycle (everyone has at most one manager: walk, colour, done)."""
    errors: list[RowError] = []
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    for start in lines:
        path: list[str] = []
        node: str | None = start
        while node is not None and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = manager_of.get(node)
        if node is not None and state.get(node) == 1:
            loop = path[path.index(node) :]
            chain = " → ".join([*loop, node])
            errors.extend(RowError(lines[e], "manager_email", f"reporting cycle: {chain}") for e in loop if e in lines)
        for visited in path:
            state[visited] = 2
    return errors


# --- Applying -----------------------------------------------------------------------------------------------
def do_import_people(
    *,
    organization: Organization,
    file: IO[str] | IO[bytes] | bytes | str | None = None,
    rows: Iterable[Mapping[str, Any]] | None = None,
    actor: User | None,
    dry_run: bool = False,
    deactivate_missing: bool = False,
) -> ImportResult:
    """Plan the import and, unless it is a dry run or any row is bad, apply all of it in one transaction.

    New accounts get an unusable password and no e-mail. One audit line, ``people.imported``, when anything
    changed. ``actor`` is None for the command line ("system"). A dry run reads only, outside a transaction
    (on SQLite a transaction would hold the write lock while a large file is checked).
    """

    def plan() -> Plan:
        return plan_import(
            organization=organization, file=file, rows=rows, actor=actor, deactivate_missing=deactivate_missing
        )

    if dry_run:
        return ImportResult(plan(), applied=False, dry_run=True)
    with transaction.atomic():  # planned inside the transaction, so what is checked is what is written
        checked = plan()
        if checked.ok:
            _apply(checked, organization=organization, actor=actor)
        return ImportResult(checked, applied=checked.ok, dry_run=False)


def _apply(plan: Plan, *, organization: Organization, actor: User | None) -> None:
    if not (plan.creates or plan.updates or plan.deactivations):
        return
    users = _create_accounts(plan)
    member_pk = plan.member_ids | _create_members(plan, organization, users)

    changed_fields: set[str] = set()
    renamed: list[User] = []
    to_update: list[Membership] = []
    for update in plan.updates:
        m = update.membership
        for name, (_, new) in update.changes.items():
            if name == "full_name":
                m.user.full_name = new
                renamed.append(m.user)
            elif name == "manager":
                m.manager_id = member_pk[new] if new else None
                changed_fields.add("manager")
            else:
                setattr(m, name, new)
                changed_fields.add(name)
        if set(update.changes) - {"full_name"}:
            to_update.append(m)
    if to_update:
        Membership.objects.bulk_update(to_update, sorted(changed_fields), batch_size=500)
    if renamed:
        User.objects.bulk_update(renamed, ["full_name"], batch_size=500)
    deactivate = [d.membership.pk for d in plan.deactivations]
    for i in range(0, len(deactivate), _CHUNK):
        Membership.objects.filter(pk__in=deactivate[i : i + _CHUNK]).update(is_active=False)
    audit.record(actor=actor, verb="people.imported", obj=organization, organization=organization)


def _create_accounts(plan: Plan) -> dict[str, User]:
    """Accounts for people new to Trellis (unusable password, no mail); others keep theirs, and their name."""
    new_users = [
        User(email=c.email, full_name=c.full_name, password=_unusable_password())
        for c in plan.creates
        if c.user is None
    ]
    User.objects.bulk_create(new_users)
    if any(u.pk is None for u in new_users):  # a backend without RETURNING
        _refetch_pks(new_users)
    return {u.email: u for u in new_users} | {c.email: c.user for c in plan.creates if c.user is not None}


def _unusable_password() -> str:
    # What make_password(None) stores, without its slow character-by-character random string.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(UNUSABLE_PASSWORD_SUFFIX_LENGTH // 2)


def _create_members(plan: Plan, organization: Organization, users: dict[str, User]) -> dict[str, int]:
    """New memberships, managers before their reports (one insert per level of the new chart), so every row
    is written once with its manager. Returns e-mail → membership pk."""
    new = {c.email: c for c in plan.creates}
    depth: dict[str, int] = {}
    for email in new:
        chain = []
        node: str | None = email
        while node in new and node not in depth:  # the plan has no cycles
            chain.append(node)
            node = new[node].values["manager"]
        base = depth[node] + 1 if node in depth else 0
        for i, e in enumerate(reversed(chain)):
            depth[e] = base + i
    layers: dict[int, list[Create]] = {}
    for c in plan.creates:
        layers.setdefault(depth[c.email], []).append(c)
    pks = dict(plan.member_ids)
    created: dict[str, int] = {}
    for level in sorted(layers):
        members = [
            Membership(
                organization=organization,
                user=users[c.email],
                manager_id=pks[c.values["manager"]] if c.values["manager"] else None,
                **{k: c.values[k] for k in ("title", "department", "level", "languages", "timezone", "roles")},
            )
            for c in layers[level]
        ]
        Membership.objects.bulk_create(members)
        if any(m.pk is None for m in members):  # a backend without RETURNING
            fresh = dict(
                Membership.objects.filter(organization=organization, user__in=[m.user for m in members]).values_list(
                    "user_id", "pk"
                )
            )
            for m in members:
                m.pk = fresh[m.user.pk]
        for c, m in zip(layers[level], members, strict=True):
            pks[c.email] = created[c.email] = m.pk
    return created


def _refetch_pks(users: list[User]) -> None:
    emails = [u.email for u in users]
    pks: dict[str, int] = {}
    for i in range(0, len(emails), _CHUNK):
        pks.update(User.objects.filter(email__in=emails[i : i + _CHUNK]).values_list("email", "pk"))
    for u in users:
        u.pk = pks[u.email]
