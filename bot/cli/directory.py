"""`hotline directory`: import and export the directory of municipalities, schools, staff and
services."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.output import count
from bot.paths import DATA_DIR

SAMPLE_DIRECTORY = DATA_DIR / "directory.yml"


@click.group()
def directory() -> None:
    """Municipalities, schools, staff and services (YAML or CSV files)."""


@directory.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=SAMPLE_DIRECTORY)
def directory_import(path: Path) -> None:
    """Load a directory file, .yml or .csv (default: the sample Canton 10 directory).
    Nothing is written if the file has any error; every error names its line."""
    from bot.directory.import_export import DirectoryError, load_directory
    from bot.storage.db import session_scope

    try:
        with session_scope() as session:
            report = load_directory(session, path)
    except DirectoryError as error:
        problems = len(error.errors)
        raise click.ClickException(
            f"{problems} problem{'s' if problems != 1 else ''} in {path.name}, nothing imported:\n"
            + "\n".join(error.errors)
        ) from error
    for warning in report.warnings:
        click.echo(warning, err=True)
    click.echo(
        f"imported {report.municipalities} municipalities, {report.schools} schools,"
        f" {report.staff} school staff, {count(report.coordinators, 'coordinator')} and"
        f" {count(report.services, 'service')} from {path}"
    )


@directory.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["yaml", "csv"]),
    default=None,
    help="Default: from PATH's extension, else yaml.",
)
@click.option(
    "--with-phones", is_flag=True, help="Include phone numbers in clear (otherwise left out; importing keeps them)."
)
def directory_export(path: Path | None, file_format: str | None, with_phones: bool) -> None:
    """Write the directory as YAML or CSV (to PATH or standard output)."""
    from bot.directory.csv_format import dump_csv
    from bot.directory.store import read_directory
    from bot.directory.yaml_format import dump_yaml
    from bot.storage.db import session_scope

    file_format = file_format or ("csv" if path and path.suffix.lower() == ".csv" else "yaml")
    from bot.privacy.sealing import VaultError

    try:
        with session_scope() as session:
            entries = read_directory(session, with_phones=with_phones)
    except VaultError as error:
        raise click.ClickException(
            "stored phones cannot be opened with this CONTACT_VAULT_KEY (or HOTLINE_SECRET_KEY)"
        ) from error
    text = dump_csv(entries) if file_format == "csv" else dump_yaml(entries)
    if path:
        path.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
