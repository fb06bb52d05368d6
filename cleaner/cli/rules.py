"""`cleaner rules`: list the rule packs and their rules, or check a pack of one's own."""

from __future__ import annotations

import json
import sys

import click

from .common import CONTEXT_SETTINGS, plural, split_list


@click.command("rules", context_settings=CONTEXT_SETTINGS, short_help="List the rule packs and their rules.")
@click.option(
    "--pack",
    "packs",
    multiple=True,
    metavar="NAME",
    help="Only this shipped pack (repeatable). Default: every shipped pack.",
)
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=str),
    metavar="FILE",
    help="Also show this rule pack of your own (repeatable), checking that it loads.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="Show each rule's phrases or pattern too.")
def rules_command(packs: tuple[str, ...], rule_files: tuple[str, ...], fmt: str, verbose: bool) -> None:
    """List the rule packs and their rules: id, action, where on the page it applies, and why.

    The shipped packs are `generic` (chrome seen across the web) and one per known aggregator. A pack of your
    own is a TOML file in the same format (see docs/rule-packs.md); `cleaner clean --rules FILE` applies it, and
    `cleaner rules --rules FILE` checks it.

    Exit code 2 if a pack cannot be loaded.
    """
    from ..rules import RulePackError, file_pack, shipped_pack, shipped_pack_names

    try:
        loaded = [shipped_pack(name) for name in (split_list(packs) or shipped_pack_names())]
        loaded += [file_pack(path) for path in rule_files]
    except RulePackError as error:
        click.echo(f"cleaner: {error}", err=True)
        sys.exit(2)
    if fmt == "json":
        data = [
            {
                "pack": pack.name,
                "origin": pack.origin,
                "description": pack.description,
                "rules": [
                    {
                        "id": rule.reason,
                        "action": rule.action,
                        "where": rule.where,
                        "max_words": rule.max_words,
                        "note": rule.note,
                        "phrases": sorted(rule.phrases),
                        "pattern": rule.pattern.pattern if rule.pattern is not None else None,
                    }
                    for rule in pack.rules
                ],
            }
            for pack in loaded
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    for pack in loaded:
        count = len(pack.rules)
        where = "shipped" if pack.origin == f"{pack.name} (shipped)" else f"from {pack.origin}"
        click.echo(click.style(pack.name, bold=True) + f"  ({where}, {count} {plural(count, 'rule')})")
        if pack.description:
            click.echo(f"  {pack.description}")
        for rule in pack.rules:
            what = f"{len(rule.phrases)} phrases" if rule.phrases else "pattern"
            click.echo(f"  {rule.action:<9} {rule.reason:<34} {rule.where:<5} {what:<12} {rule.note}")
            if verbose:
                shown = ", ".join(sorted(rule.phrases)) if rule.phrases else str(getattr(rule.pattern, "pattern", ""))
                click.echo(click.style(f"            {shown}", dim=True))
        click.echo()
