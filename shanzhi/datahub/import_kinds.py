"""How each kind of file becomes a plan of writes: buildings, persons, enterprises, key persons, party
organisations and party members (see :mod:`shanzhi.datahub.imports`)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

from shanzhi.core import pii
from shanzhi.datahub import rules
from shanzhi.datahub.import_plan import (
    _PLACE_FIELDS,
    Place,
    Reference,
    _diff,
    _duplicates,
    _fp,
    _link,
    _new,
    _place_row,
    _placed,
    _Plan,
    _Row,
)
from shanzhi.datahub.models import (
    Enterprise,
    House,
    Household,
    HubBuilding,
    ImportKind,
    KeyPerson,
    PartyMember,
    PartyOrganisation,
    Person,
)
from shanzhi.datahub.rules import RowError
from shanzhi.places.models import StandardAddress

# --- per kind -------------------------------------------------------------------------------------------------------


def _plan_buildings(rows: list[_Row], ref: Reference, col: Callable[[str], str], plan: _Plan, demo: bool) -> None:
    codes = [r.values["address_code"] for r in rows if r.values.get("address_code")]
    addresses = dict(StandardAddress.objects.filter(code__in=codes).values_list("code", "id")) if codes else {}
    for row in rows:
        _place_row(row, ref, col, building_key=None)
        code = row.values.get("address_code")
        if code and code not in addresses:
            row.errors.append(RowError(row.number, col("address_code"), "address_unknown", "标准地址编码不存在"))
    _duplicates(rows, "code", col("code"), "楼栋编码与第{first}行重复")
    good = [r for r in rows if not r.errors]

    def build(row: _Row, fp: str) -> Callable[[], models.Model]:
        def make() -> models.Model:
            v = row.values
            obj = _new(
                HubBuilding,
                code=v["code"],
                name=v["name"],
                address_text=v["address_text"] or "",
                address_id=addresses.get(v["address_code"] or ""),
                use=v["use"],
                floors=v["floors"],
                entrances=v["entrances"],
                built_year=v["built_year"],
                fingerprint=fp,
                is_demo=demo,
            )
            assert row.place is not None
            _placed(obj, row.place)
            return obj

        return make

    items = []
    for row in good:
        v, p = row.values, row.place
        assert p is not None
        fp = _fp(
            (
                v["code"],
                v["name"],
                v["address_text"],
                v["address_code"],
                v["use"],
                v["floors"],
                v["entrances"],
                v["built_year"],
                p.grid_id,
                p.community_id,
                p.path,
                p.longitude,
                p.latitude,
            )
        )
        items.append((v["code"], fp, build(row, fp)))
    _diff(
        HubBuilding,
        "code",
        items,
        plan,
        ["name", "address_text", "address", "use", "floors", "entrances", "built_year", *_PLACE_FIELDS],
    )


def _plan_persons(rows: list[_Row], ref: Reference, col: Callable[[str], str], plan: _Plan, demo: bool) -> None:
    for row in rows:
        v = row.values
        if (v.get("entrance_no") or v.get("room_no")) and not v.get("building_code"):
            row.errors.append(
                RowError(row.number, col("building_code"), "room_without_building", "填写单元/室号时须填写楼栋编码")
            )
            continue
        if v.get("room_no") and not v.get("entrance_no"):
            v["entrance_no"] = 1
        _place_row(row, ref, col, building_key="building_code")
        if v.get("id_number"):
            v["id_hash"] = pii.blind_index(v["id_number"])
        v["phone_hash"] = pii.blind_index(v.get("phone") or "")
    _duplicates(rows, "id_hash", col("id_number"), "身份证号与第{first}行重复")
    good = [r for r in rows if not r.errors]

    # Dwellings and households named by the rows: create the ones the hub does not have yet.
    house_rows: dict[str, _Row] = {}
    household_rows: dict[str, _Row] = {}
    for row in good:
        v = row.values
        if v.get("room_no"):
            v["house_code"] = f"{v['building_code']}-{v['entrance_no']}-{v['room_no']}"
            house_rows.setdefault(v["house_code"], row)
        if v.get("household_no"):
            household_rows.setdefault(v["household_no"], row)
    houses: dict[str, int] = {}
    house_codes = list(house_rows)
    for start in range(0, len(house_codes), 20000):
        chunk = house_codes[start : start + 20000]
        houses.update(House.objects.filter(code__in=chunk).values_list("code", "id"))
    new_houses: dict[str, House] = {}
    for code, row in house_rows.items():
        if code in houses:
            continue
        house = _new(
            House,
            code=code,
            building_id=row.values["building_id"],
            entrance_no=row.values["entrance_no"],
            room_no=row.values["room_no"],
            is_demo=demo,
        )
        assert row.place is not None
        _placed(house, row.place)
        new_houses[code] = house
    households: dict[str, int] = {}
    numbers = list(household_rows)
    for start in range(0, len(numbers), 20000):
        chunk = numbers[start : start + 20000]
        households.update(Household.objects.filter(number__in=chunk).values_list("number", "id"))
    new_households: dict[str, Household] = {}
    for number, row in household_rows.items():
        if number in households:
            continue
        household = _new(Household, number=number, is_demo=demo)
        assert row.place is not None
        _placed(household, row.place)
        new_households[number] = household
    plan.inserts.append(list(new_houses.values()))
    plan.inserts.append(list(new_households.values()))

    def build(row: _Row, fp: str) -> Callable[[], models.Model]:
        def make() -> models.Model:
            v = row.values
            number = v["id_number"]
            house_code = v.get("house_code")
            household_no = v.get("household_no")
            obj = _new(
                Person,
                id_hash=v["id_hash"],
                id_cipher=pii.encrypt(number),
                id_masked=pii.mask_id_number(number),
                name=v["name"],
                gender=rules.id_gender(number),
                birth_year=rules.id_birth_year(number),
                phone_cipher=pii.encrypt(v["phone"]),
                phone_hash=v["phone_hash"],
                phone_masked=pii.mask_phone(v["phone"]),
                residence=v["residence"],
                relation=v["relation"] or "",
                building_id=v.get("building_id"),
                fingerprint=fp,
                is_demo=demo,
            )
            if house_code:
                if house_code in new_houses:
                    _link(obj, "house_id", new_houses[house_code])
                else:
                    obj.house_id = houses[house_code]
            if household_no:
                if household_no in new_households:
                    _link(obj, "household_id", new_households[household_no])
                else:
                    obj.household_id = households[household_no]
            assert row.place is not None
            _placed(obj, row.place)
            return obj

        return make

    items = []
    for row in good:
        v, p = row.values, row.place
        assert p is not None
        fp = _fp(
            (
                v["id_hash"],
                v["name"],
                v["phone_hash"],
                v["residence"],
                v.get("household_no"),
                v["relation"],
                v.get("building_code"),
                v.get("house_code"),
                p.grid_id,
                p.community_id,
                p.path,
                p.longitude,
                p.latitude,
            )
        )
        items.append((v["id_hash"], fp, build(row, fp)))
    fields = [
        "name",
        "phone_cipher",
        "phone_hash",
        "phone_masked",
        "residence",
        "household",
        "relation",
        "house",
        "building",
        *_PLACE_FIELDS,
    ]
    _diff(Person, "id_hash", items, plan, fields)


def _plan_enterprises(rows: list[_Row], ref: Reference, col: Callable[[str], str], plan: _Plan, demo: bool) -> None:
    for row in rows:
        _place_row(row, ref, col, building_key="building_code")
    _duplicates(rows, "credit_code", col("credit_code"), "统一社会信用代码与第{first}行重复")
    good = [r for r in rows if not r.errors]

    def build(row: _Row, fp: str) -> Callable[[], models.Model]:
        def make() -> models.Model:
            v = row.values
            obj = _new(
                Enterprise,
                credit_code=v["credit_code"],
                name=v["name"],
                legal_rep=v["legal_rep"] or "",
                phone_cipher=pii.encrypt(v["phone"]),
                phone_hash=pii.blind_index(v["phone"]),
                phone_masked=pii.mask_phone(v["phone"]),
                industry=v["industry"] or "",
                employees=v["employees"],
                address_text=v["address_text"] or "",
                building_id=v.get("building_id"),
                fingerprint=fp,
                is_demo=demo,
            )
            assert row.place is not None
            _placed(obj, row.place)
            return obj

        return make

    items = []
    for row in good:
        v, p = row.values, row.place
        assert p is not None
        fp = _fp(
            (
                v["credit_code"],
                v["name"],
                v["legal_rep"],
                pii.blind_index(v["phone"]),
                v["industry"],
                v["employees"],
                v["address_text"],
                v.get("building_code"),
                p.grid_id,
                p.community_id,
                p.path,
                p.longitude,
                p.latitude,
            )
        )
        items.append((v["credit_code"], fp, build(row, fp)))
    fields = [
        "name",
        "legal_rep",
        "phone_cipher",
        "phone_hash",
        "phone_masked",
        "industry",
        "employees",
        "address_text",
        "building",
        *_PLACE_FIELDS,
    ]
    _diff(Enterprise, "credit_code", items, plan, fields)


def _plan_key_persons(rows: list[_Row], ref: Reference, col: Callable[[str], str], plan: _Plan, demo: bool) -> None:
    hashes = {pii.blind_index(r.values["id_number"]) for r in rows if r.values.get("id_number")}
    people: dict[str, tuple[int, Place]] = {}
    hash_list = list(hashes)
    for start in range(0, len(hash_list), 20000):
        for h, pk, grid, community, path, lon, lat in Person.objects.filter(
            id_hash__in=hash_list[start : start + 20000]
        ).values_list("id_hash", "id", "grid_id", "community_id", "area_path", "longitude", "latitude"):
            people[h] = (pk, Place(grid, community, path, lon, lat))
    for row in rows:
        v = row.values
        if not v.get("id_number") or row.errors:
            continue
        found = people.get(pii.blind_index(v["id_number"]))
        if found is None:
            row.errors.append(
                RowError(row.number, col("id_number"), "person_unknown", "该身份证号的人员不在人口库中，请先导入人口")
            )
            continue
        if ref.scope_path is not None and not found[1].path.startswith(ref.scope_path):
            row.errors.append(RowError(row.number, col("id_number"), "outside_scope", "该人员不在您的管辖范围内"))
            continue
        v["person_id"], row.place = found
        v["key"] = f"{found[0]}:{v['category']}"
    _duplicates(rows, "key", col("category"), "同一人员同一类别与第{first}行重复")
    good = [r for r in rows if not r.errors]
    existing = {
        f"{p}:{c}": (pk, fp)
        for pk, p, c, fp in KeyPerson.objects.filter(person_id__in=[r.values["person_id"] for r in good]).values_list(
            "id", "person_id", "category", "fingerprint"
        )
    }

    def build(row: _Row, fp: str) -> Callable[[], models.Model]:
        def make() -> models.Model:
            v = row.values
            obj = _new(
                KeyPerson,
                person_id=v["person_id"],
                category=v["category"],
                level=v["level"],
                since=v["since"],
                note=v["note"] or "",
                fingerprint=fp,
                is_demo=demo,
            )
            assert row.place is not None
            _placed(obj, row.place)
            return obj

        return make

    inserts, updates = [], []
    for row in good:
        v, p = row.values, row.place
        assert p is not None
        fp = _fp((v["key"], v["level"], v["since"], v["note"], p.path, p.longitude, p.latitude))
        known = existing.get(v["key"])
        if known is None:
            inserts.append(build(row, fp)())
        elif known[1] == fp:
            plan.unchanged += 1
        else:
            obj = build(row, fp)()
            obj.pk = known[0]
            updates.append(obj)
    plan.created += len(inserts)
    plan.updated += len(updates)
    plan.inserts.append(inserts)
    if updates:
        plan.updates.append((updates, ["level", "since", "note", *_PLACE_FIELDS]))


def _plan_party_orgs(rows: list[_Row], ref: Reference, col: Callable[[str], str], plan: _Plan, demo: bool) -> None:
    for row in rows:
        _place_row(row, ref, col, building_key=None)
    _duplicates(rows, "code", col("code"), "组织编码与第{first}行重复")
    in_file = {r.values["code"] for r in rows if r.values.get("code")}
    parents = {r.values["parent_code"] for r in rows if r.values.get("parent_code")}
    known = set(PartyOrganisation.objects.filter(code__in=parents).values_list("code", flat=True)) | in_file
    for row in rows:
        parent = row.values.get("parent_code")
        if parent and parent not in known:
            row.errors.append(RowError(row.number, col("parent_code"), "parent_unknown", "上级组织编码不存在"))
        elif parent and parent == row.values.get("code"):
            row.errors.append(RowError(row.number, col("parent_code"), "parent_self", "上级组织不能是本组织"))
    good = [r for r in rows if not r.errors]

    def build(row: _Row, fp: str) -> Callable[[], models.Model]:
        def make() -> models.Model:
            v = row.values
            obj = _new(
                PartyOrganisation,
                code=v["code"],
                name=v["name"],
                kind=v["kind"],
                secretary=v["secretary"] or "",
                members_count=v["members_count"],
                address_text=v["address_text"] or "",
                fingerprint=fp,
                is_demo=demo,
            )
            assert row.place is not None
            _placed(obj, row.place)
            return obj

        return make

    items = []
    for row in good:
        v, p = row.values, row.place
        assert p is not None
        fp = _fp(
            (
                v["code"],
                v["name"],
                v["kind"],
                v["parent_code"],
                v["secretary"],
                v["members_count"],
                v["address_text"],
                p.path,
                p.longitude,
                p.latitude,
            )
        )
        items.append((v["code"], fp, build(row, fp)))
    _diff(
        PartyOrganisation,
        "code",
        items,
        plan,
        ["name", "kind", "secretary", "members_count", "address_text", *_PLACE_FIELDS],
    )
    links = [(r.values["code"], r.values["parent_code"]) for r in good]

    def link_parents() -> None:
        ids = dict(PartyOrganisation.objects.filter(code__in=in_file | parents).values_list("code", "id"))
        for code, parent in links:
            PartyOrganisation.objects.filter(code=code).exclude(parent_id=ids.get(parent or "")).update(
                parent_id=ids.get(parent or "")
            )

    plan.after.append(link_parents)


def _plan_party_members(rows: list[_Row], ref: Reference, col: Callable[[str], str], plan: _Plan, demo: bool) -> None:
    hashes = list({pii.blind_index(r.values["id_number"]) for r in rows if r.values.get("id_number")})
    people: dict[str, tuple[int, str]] = {}
    for start in range(0, len(hashes), 20000):
        chunk = hashes[start : start + 20000]
        people.update(
            (h, (pk, path))
            for h, pk, path in Person.objects.filter(id_hash__in=chunk).values_list("id_hash", "id", "area_path")
        )
    codes = {r.values["org_code"] for r in rows if r.values.get("org_code")}
    orgs = dict(PartyOrganisation.objects.filter(code__in=codes).values_list("code", "id"))
    for row in rows:
        v = row.values
        if v.get("id_number"):
            found = people.get(pii.blind_index(v["id_number"]))
            if found is None:
                row.errors.append(
                    RowError(
                        row.number, col("id_number"), "person_unknown", "该身份证号的人员不在人口库中，请先导入人口"
                    )
                )
            elif ref.scope_path is not None and not found[1].startswith(ref.scope_path):
                row.errors.append(RowError(row.number, col("id_number"), "outside_scope", "该人员不在您的管辖范围内"))
            else:
                v["person_id"] = found[0]
        if v.get("org_code") and v["org_code"] not in orgs:
            row.errors.append(RowError(row.number, col("org_code"), "org_unknown", "党组织编码不存在，请先导入党组织"))
    _duplicates(rows, "person_id", col("id_number"), "同一党员与第{first}行重复")
    good = [r for r in rows if not r.errors]
    existing = {
        p: (pk, fp)
        for pk, p, fp in PartyMember.objects.filter(person_id__in=[r.values["person_id"] for r in good]).values_list(
            "id", "person_id", "fingerprint"
        )
    }
    inserts: list[models.Model] = []
    updates: list[models.Model] = []
    for row in good:
        v = row.values
        fp = _fp((v["person_id"], v["org_code"], v["joined_on"]))
        known = existing.get(v["person_id"])
        if known is not None and known[1] == fp:
            plan.unchanged += 1
            continue
        obj = _new(
            PartyMember,
            person_id=v["person_id"],
            organisation_id=orgs[v["org_code"]],
            joined_on=v["joined_on"],
            fingerprint=fp,
        )
        if known is None:
            inserts.append(obj)
        else:
            obj.pk = known[0]
            updates.append(obj)
    plan.created += len(inserts)
    plan.updated += len(updates)
    plan.inserts.append(inserts)
    if updates:
        plan.updates.append((updates, ["organisation", "joined_on", "fingerprint"]))


PLANNERS: dict[str, Callable[[list[_Row], Reference, Callable[[str], str], _Plan, bool], None]] = {
    ImportKind.BUILDINGS: _plan_buildings,
    ImportKind.PERSONS: _plan_persons,
    ImportKind.ENTERPRISES: _plan_enterprises,
    ImportKind.KEY_PERSONS: _plan_key_persons,
    ImportKind.PARTY_ORGS: _plan_party_orgs,
    ImportKind.PARTY_MEMBERS: _plan_party_members,
}
