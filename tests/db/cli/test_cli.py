"""The `hotline` command on a real SQLite database."""

from pathlib import Path

import yaml
from click.testing import CliRunner

from bot.cli import main


def test_db_upgrade_directory_import_and_export(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(main, ["directory", "import"])
    assert result.exit_code == 0 and "6 municipalities" in result.output
    out = tmp_path / "export.yml"
    assert runner.invoke(main, ["directory", "export", str(out)]).exit_code == 0
    exported = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert [m["name"] for m in exported["municipalities"]][:2] == ["Livno", "Tomislavgrad"]


def test_a_bad_directory_file_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"])
    bad = tmp_path / "bad.yml"
    bad.write_text("municipalities: 5\n", encoding="utf-8")
    result = runner.invoke(main, ["directory", "import", str(bad)])
    assert result.exit_code != 0 and "expected a list" in result.output


def test_purge_reports_what_it_deleted(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"])
    result = runner.invoke(main, ["purge", "--days", "30"])
    assert result.exit_code == 0 and "deleted 0 conversations" in result.output


def test_status_reports_the_database_and_the_journal(tmp_path: Path, monkeypatch) -> None:
    import json

    from bot.storage.journal import Journal

    monkeypatch.setenv("HOTLINE_JOURNAL_DIR", str(tmp_path / "journal"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"])
    healthy = runner.invoke(main, ["status"])
    assert healthy.exit_code == 0 and "database  reachable" in healthy.output and "journal   empty" in healthy.output
    Journal("sms", tmp_path / "journal").append({"type": "delivery", "delivery_id": "SM1"})
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/away")
    outage = runner.invoke(main, ["status", "--json"])
    facts = json.loads(outage.output)
    assert outage.exit_code == 1 and facts["database"] == "unreachable" and facts["journal_depth"] == 1
    assert facts["journal_oldest"] is not None and facts["outbox_pending"] is None
