"""Revision 0003 re-keys the stored issues with their place, so a steward's decision keeps its issue."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from tka.validate.run import issue_id
from tka.warehouse import make_engine, upgrade

PATH, SHA = "2025-08/perusahaan/1234567890123 PT A.xlsx", "b" * 64


def test_issue_ids_get_the_place_and_keep_the_decision(warehouse_url) -> None:
    engine = make_engine(warehouse_url)
    upgrade(engine, "0002")
    old = hashlib.sha256(f"{SHA}|Agustus|7|passport_no|passport_format".encode()).hexdigest()[:16]
    with engine.begin() as conn:
        conn.execute(sa.text(
            'insert into validation_issue (period, issue_id, file_path, file_sha256, sheet, row_number, "column", '
            "rule, severity, status, decided_by) values ('2025-08', :id, :path, :sha, 'Agustus', 7, 'passport_no', "
            "'passport_format', 'warning', 'waived', 'ani')"), {"id": old, "path": PATH, "sha": SHA})
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select issue_id, status, decided_by from validation_issue")).all()
    new = issue_id(SHA, "Agustus", 7, "passport_no", "passport_format", file_path=PATH)
    assert [tuple(r) for r in rows] == [(new, "waived", "ani")]
