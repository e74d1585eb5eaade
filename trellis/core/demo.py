"""Demo data: Northwind (the personas of JOURNEYS.md and ~200 generated colleagues) and Globex.

Deterministic and idempotent: a second run finds everything in place and changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from trellis.core import audit
from trellis.core.models import Membership, Organization, Role, User

PLATFORM_ADMIN = "admin@trellis.example"
DEMO_PASSWORD = "trellis-demo"  # noqa: S105 (published demo credential)


@dataclass(frozen=True)
class Person:
    key: str
    full_name: str
    title: str
    department: str
    level: int
    roles: tuple[str, ...]
    manager: str | None = None
    languages: tuple[str, ...] = ("en",)
    timezone: str = "Europe/London"
    email: str = ""
    extra_orgs: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())


P, M, S, PA, IN, ME, CO, OA = (
    Role.PARTICIPANT,
    Role.MANAGER,
    Role.SPONSOR,
    Role.PROGRAM_ADMIN,
    Role.INSTRUCTOR,
    Role.MENTOR,
    Role.COACH,
    Role.ORG_ADMIN,
)

PERSONAS = [
    Person("nina", "Nina Okafor", "Chief Executive Officer", "Executive", 10, (P, M)),
    Person("victor", "Victor Hale", "VP Sales", "Sales", 9, (P, M, ME), "nina"),
    Person("frank", "Frank Meyer", "Sales Manager", "Sales", 6, (P, M), "victor", ("en", "de"), "Europe/Berlin"),
    Person("alice", "Alice Martin", "Account Executive", "Sales", 4, (P,), "frank", ("en", "fr"), "Europe/Paris"),
    Person("oscar", "Oscar Lindqvist", "VP Engineering", "Engineering", 9, (P, M), "nina"),
    Person("bob", "Bob Chen", "Principal Engineer", "Engineering", 7, (P, ME), "oscar", ("en", "zh")),
    Person("hannah", "Hannah Weiss", "VP People", "HR", 9, (P, M, S), "nina", ("en", "de")),
    Person("dave", "Dave Kowalski", "HR Business Partner", "HR", 6, (P, S), "hannah", ("en", "pl")),
    Person("erin", "Erin Walsh", "People Systems Lead", "HR", 6, (P, OA), "hannah"),
    Person("heidi", "Heidi Novak", "Learning & Development Lead", "HR", 6, (P, PA), "hannah", ("en", "cs")),
    Person("grace", "Grace Adeyemi", "Feedback Trainer", "HR", 5, (P, IN), "heidi"),
    Person("priya", "Priya Raman", "Head of Pricing", "Finance", 8, (P, M, ME), "nina", ("en", "hi")),
    Person(
        "carol",
        "Carol Dubois",
        "Executive Coach (ICF PCC)",
        "External",
        8,
        (CO,),
        None,
        ("en", "fr"),
        "Europe/Paris",
        extra_orgs=(("globex", (CO,)),),
    ),
]

DEPARTMENTS = {  # department → (head key, titles by level band)
    "Sales": ("victor", ["Sales Development Rep", "Account Executive", "Senior Account Executive"]),
    "Engineering": ("oscar", ["Software Engineer", "Senior Software Engineer", "Staff Engineer"]),
    "HR": ("hannah", ["HR Coordinator", "HR Specialist", "Senior HR Partner"]),
    "Finance": ("priya", ["Financial Analyst", "Senior Analyst", "Finance Lead"]),
    "Marketing": (None, ["Marketing Specialist", "Content Strategist", "Senior Marketer"]),
    "Operations": (None, ["Operations Analyst", "Logistics Coordinator", "Operations Specialist"]),
    "Product": (None, ["Product Analyst", "Product Manager", "Senior Product Manager"]),
}
FIRST = [
    "Ada",
    "Ben",
    "Cleo",
    "Dan",
    "Eva",
    "Finn",
    "Gia",
    "Hugo",
    "Iris",
    "Jon",
    "Kai",
    "Lena",
    "Max",
    "Nora",
    "Omar",
    "Pia",
    "Quin",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Vik",
    "Wen",
    "Xavi",
    "Yara",
    "Zed",
    "Aiko",
    "Bruno",
    "Chloe",
    "Diego",
    "Elif",
    "Femi",
    "Gustav",
    "Hana",
    "Ivo",
    "Jana",
    "Kofi",
    "Lars",
    "Mira",
    "Noor",
]
LAST = [
    "Abbott",
    "Berg",
    "Costa",
    "Dahl",
    "Ekström",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ivanova",
    "Jensen",
    "Kim",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Olsen",
    "Patel",
    "Quinn",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Varga",
    "Wagner",
    "Xu",
    "Young",
    "Zimmer",
    "Achebe",
    "Brandt",
    "Cruz",
    "Duarte",
]
ZONES = ("Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York", "Asia/Singapore")
GENERATED = 200


def _email(key: str, org: str = "northwind") -> str:
    return f"{key}@{org}.example"


def _generated_people() -> list[Person]:
    """A realistic chart: department heads → managers (level 6–7) → individual contributors (level 1–5)."""
    rng = random.Random(20261124)
    people: list[Person] = []
    used: set[str] = set()
    for dept, (head, _titles) in DEPARTMENTS.items():
        if head is None:
            head = f"head.{dept.lower()}"
            people.append(
                Person(
                    head,
                    f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    f"Head of {dept}",
                    dept,
                    8,
                    (P, M, ME),
                    "nina",
                    email=_email(head),
                )
            )
        managers = []
        for i in range(3):
            key = f"mgr.{dept.lower()}.{i + 1}"
            managers.append(key)
            people.append(
                Person(
                    key,
                    f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    f"{dept} Manager",
                    dept,
                    rng.choice((6, 7)),
                    (P, M) if i else (P, M, ME),
                    head,
                    timezone=rng.choice(ZONES),
                    email=_email(key),
                )
            )
    per_dept = (GENERATED - len(people)) // len(DEPARTMENTS)
    for dept, (_, titles) in DEPARTMENTS.items():
        for _ in range(per_dept):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            key = f"{first}.{last}".lower().replace("ö", "o").replace("ë", "e")
            n = 2
            while key in used:
                key = f"{first}.{last}{n}".lower().replace("ö", "o")
                n += 1
            used.add(key)
            level = rng.randint(1, 5)
            people.append(
                Person(
                    key,
                    f"{first} {last}",
                    titles[min(level // 2, 2)],
                    dept,
                    level,
                    (P,),
                    f"mgr.{dept.lower()}.{rng.randint(1, 3)}",
                    ("en",) + (("de",) if rng.random() < 0.2 else ()),
                    rng.choice(ZONES),
                    email=_email(key),
                )
            )
    return people


@transaction.atomic
def load() -> dict[str, int]:
    """Create whatever is missing; returns counts of what was created (all zero on a second run)."""
    created = {"organizations": 0, "users": 0, "memberships": 0}
    password = make_password(DEMO_PASSWORD)  # hashed once: 200 argon2 hashes would take a minute
    orgs = {}
    for slug, name in (("northwind", "Northwind"), ("globex", "Globex")):
        orgs[slug], made = Organization.objects.get_or_create(slug=slug, defaults={"name": name})
        created["organizations"] += made

    everyone = [
        *PERSONAS,
        *_generated_people(),
        Person("mallory", "Mallory Stone", "IT Director", "IT", 8, (P, OA), email="mallory@globex.example"),
    ]
    users = {u.email: u for u in User.objects.filter(email__in=[p.email or _email(p.key) for p in everyone])}
    new_users = [
        User(email=p.email or _email(p.key), full_name=p.full_name, password=password)
        for p in everyone
        if (p.email or _email(p.key)) not in users
    ]
    for user in User.objects.bulk_create(new_users):
        users[user.email] = user
    created["users"] = len(new_users)

    existing = {(m.organization_id, m.user_id): m for m in Membership.objects.filter(organization__in=orgs.values())}
    by_key: dict[str, Membership] = {}
    for person in everyone:
        user = users[person.email or _email(person.key)]
        home = "globex" if person.key == "mallory" else "northwind"
        placements = [(home, person.roles), *person.extra_orgs]
        for slug, roles in placements:
            org = orgs[slug]
            membership = existing.get((org.id, user.id))
            if membership is None:
                membership = Membership.objects.create(
                    organization=org,
                    user=user,
                    roles=sorted(roles),
                    title=person.title,
                    department=person.department,
                    level=person.level,
                    languages=list(person.languages),
                    timezone=person.timezone,
                )
                created["memberships"] += 1
            if slug == home:
                by_key[person.key] = membership

    for person in everyone:  # reporting lines, once everybody exists
        if person.manager:
            member, manager = by_key[person.key], by_key[person.manager]
            if member.manager_id != manager.id:
                Membership.objects.filter(pk=member.pk).update(manager=manager)

    if not User.objects.filter(email=PLATFORM_ADMIN).exists():  # the platform operator: the Django admin, no org
        User.objects.create(
            email=PLATFORM_ADMIN, full_name="Platform Admin", password=password, is_staff=True, is_superuser=True
        )
        created["users"] += 1

    if any(created.values()):
        audit.record(actor=None, verb="demo.loaded", organization=orgs["northwind"])
    return created


def load_all() -> dict[str, int]:
    """Core's demo data, then each product app's (an app contributes a ``<app>.demo`` module with ``load()``)."""
    from importlib import import_module, util

    from django.apps import apps

    created = load()
    for config in apps.get_app_configs():
        if config.name.startswith("trellis.") and config.name != "trellis.core":
            module_name = f"{config.name}.demo"
            if util.find_spec(module_name) is not None:
                for what, n in import_module(module_name).load().items():
                    created[what] = created.get(what, 0) + n
    return created
