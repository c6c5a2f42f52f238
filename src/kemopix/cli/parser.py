"""The ``kemopix`` command line: subcommands, their options and help texts (argparse)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from .. import __version__
from .._protocol.errors import InvalidInput
from ..downloader.filters import TYPE_GROUPS
from ..downloader.templates import FIELDS

__all__ = ["UsageError", "build_parser"]

EXIT_CODES = """\
exit status:
  0    everything archived (at the best quality the site gives now: see `kemopix status`)
  1    some files or posts failed (see `kemopix retry-failed`)
  2    bad usage, URL, option or config
  3    authentication needed or refused (see `kemopix login`)
  4    network error or site unavailable
  5    local problem: disk full, read-only folder, damaged archive, port in use
  130  interrupted
"""


class UsageError(InvalidInput):
    """A command-line mistake; the message is shown on one line and the exit status is 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # main() prefixes "kemopix: "; name the sub-command only.
        where = self.prog.removeprefix("kemopix").strip()
        prefix = f"{where}: " if where else ""
        raise UsageError(f"{prefix}{message} (see `{self.prog} --help`)")


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _common(parser: argparse.ArgumentParser) -> None:
    out = parser.add_argument_group("output")
    mode = out.add_mutually_exclusive_group()
    mode.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    mode.add_argument("-v", "--verbose", action="store_true", help="one line per file")
    mode.add_argument("--json", action="store_true", help="JSON lines on stdout (one per event)")
    out.add_argument("--config", metavar="FILE", help="config file (default: <config>/config.toml)")


def _sites(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("sites (origins of emulators or mirrors)")
    group.add_argument("--kemono-url", metavar="URL", help="Kemono origin [KEMOPIX_KEMONO_URL]")
    group.add_argument("--coomer-url", metavar="URL", help="Coomer origin [KEMOPIX_COOMER_URL]")
    group.add_argument(
        "--pawchive-url", metavar="URL", help="Pawchive origin [KEMOPIX_PAWCHIVE_URL]"
    )
    group.add_argument(
        "--pixiv-url", metavar="URL", help="pixiv API/image origin [KEMOPIX_PIXIV_API_URL]"
    )


def _network(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("network")
    group.add_argument(
        "--rate", type=float, metavar="N", help="requests per second per host (site default)"
    )
    group.add_argument(
        "--concurrency", type=int, metavar="N", help="most parallel requests per host (16)"
    )
    group.add_argument("--retries", type=int, metavar="N", help="attempts per request (5)")
    group.add_argument("--timeout", type=float, metavar="S", help="read timeout in seconds (60)")
    group.add_argument(
        "--no-shared-budget",
        action="store_true",
        help="do not share rate budgets with other kemopix processes",
    )


def _input_file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-i",
        "--input-file",
        action="append",
        default=[],
        metavar="FILE",
        help="read URLs from FILE (- for stdin): one per line, # starts a comment line",
    )


def _output_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", metavar="DIR", help="archive folder [KEMOPIX_OUTPUT] (default ./kemopix)"
    )


def _selection(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("what to keep")
    group.add_argument("--after", metavar="DATE", help="posts published on or after YYYY-MM-DD")
    group.add_argument("--before", metavar="DATE", help="posts published before YYYY-MM-DD")
    group.add_argument("--tag", action="append", default=[], help="keep posts with this tag")
    group.add_argument("--exclude-tag", action="append", default=[], metavar="TAG")
    group.add_argument("--query", metavar="TEXT", help="keep posts whose title or text has TEXT")
    groups = ", ".join(TYPE_GROUPS)
    group.add_argument(
        "--type",
        action="append",
        default=[],
        metavar="TYPE",
        help=f"keep files of these extensions or groups ({groups}); comma list or repeated",
    )
    group.add_argument(
        "--exclude-type", action="append", default=[], metavar="TYPE", help="skip these types"
    )
    group.add_argument("--min-size", metavar="SIZE", help="skip smaller files (e.g. 100k)")
    group.add_argument("--max-size", metavar="SIZE", help="skip larger files (e.g. 2GB)")
    group.add_argument("--max-files", type=int, metavar="N", help="stop after N files")
    group.add_argument("--max-bytes", metavar="SIZE", help="stop before SIZE bytes (e.g. 5G)")


def _layout(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("layout and sync")
    group.add_argument("--template", metavar="T", help="path template (see `kemopix download -h`)")
    group.add_argument(
        "--copy", action="store_true", help="copy duplicate files instead of hard-linking them"
    )
    group.add_argument(
        "--full", action="store_true", help="look at every post again (no early stop)"
    )
    group.add_argument(
        "--overlap",
        type=int,
        metavar="N",
        help="known posts in a row before an incremental run stops (25)",
    )
    group.add_argument("--no-metadata", action="store_true", help="no JSON/HTML/Markdown sidecars")
    group.add_argument(
        "--text",
        metavar="FORMATS",
        help="the post text beside <id>.json: md (default), html, md,html or none",
    )
    group.add_argument(
        "--comments", action="store_true", help="fetch each post's comments (one more request)"
    )
    group.add_argument("--sizes", action="store_true", help="ask each file's size first (HEAD)")
    group.add_argument(
        "--ugoira",
        metavar="FORMAT",
        help="pixiv animations become webp (default), apng, gif, mp4, webm, or zip (kept as is)",
    )


def _quality(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("quality (Kemono sites)")
    group.add_argument(
        "--quality",
        choices=("original", "thumbnail", "auto"),
        help="original files only; thumbnails of images; or auto (default): the original, "
        "the thumbnail while the original's host is down",
    )
    group.add_argument(
        "--keep-thumbnails",
        action="store_true",
        help="keep a thumbnail beside the original that replaces it (NAME.thumbnail.jpg)",
    )


TEMPLATE_HELP = (
    "template fields: "
    + ", ".join(f"{{{name}}}" for name in FIELDS)
    + "\nexample: --template '{service}/{creator}/{published:%Y-%m} {title}/{index:03} {name}'"
)


def _add(
    sub: Any, name: str, help_text: str, handler: str, epilog: str = ""
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=epilog or EXIT_CODES,
        formatter_class=_formatter,
    )
    parser.set_defaults(handler=handler)
    return parser


def build_parser(
    emulator_hooks: Callable[[str, argparse.ArgumentParser], None] | None = None,
    command: str | None = None,
) -> argparse.ArgumentParser:
    """The whole command line. ``emulator_hooks(site, parser)`` adds an emulator's options.

    With ``command``, only that sub-command gets its options (the others are listed, with
    their help line): what parsing a command line needs, at a third of the cost."""

    def wanted(name: str) -> bool:
        return command is None or command == name

    parser = _Parser(
        prog="kemopix",
        description="Archive creators from Kemono, Coomer, Pawchive and pixiv: fast, "
        "resumable, verified, incremental.",
        epilog=EXIT_CODES,
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action="version", version=f"kemopix {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    download = _add(
        sub,
        "download",
        "archive the creators, posts or pages named by URLs",
        "download",
        TEMPLATE_HELP + "\n\n" + EXIT_CODES,
    )
    if wanted("download"):
        download.add_argument(
            "urls", nargs="*", metavar="URL", help="Kemono, Coomer, ... or pixiv URL"
        )
        _input_file(download)
        download.add_argument("-n", "--dry-run", action="store_true", help="show the plan only")
        for add in (_output_dir, _selection, _layout, _quality, _sites, _network, _common):
            add(download)

    plan = _add(
        sub,
        "plan",
        "show what `download` would fetch: posts, files, bytes and why anything is skipped",
        "plan",
    )
    if wanted("plan"):
        plan.add_argument("urls", nargs="*", metavar="URL")
        _input_file(plan)
        for add in (_output_dir, _selection, _layout, _sites, _network, _common):
            add(plan)

    fields = _add(
        sub,
        "fields",
        "show the template fields of a URL's first post and file, with their values",
        "fields",
        TEMPLATE_HELP + "\n\n" + EXIT_CODES,
    )
    if wanted("fields"):
        fields.add_argument("urls", nargs=1, metavar="URL")
        for add in (_sites, _network, _common):
            add(fields)

    verify = _add(
        sub, "verify", "check archived files (size, SHA-256), fetch missing or bad ones", "verify"
    )
    if wanted("verify"):
        verify.add_argument(
            "--check-only", action="store_true", help="report problems, download nothing"
        )
        for add in (_output_dir, _sites, _network, _common):
            add(verify)

    retry = _add(sub, "retry-failed", "download again the files that failed earlier", "retry")
    if wanted("retry-failed"):
        for add in (_output_dir, _sites, _network, _common):
            add(retry)

    upgrade = _add(
        sub,
        "upgrade",
        "try the originals of files held as thumbnails or unavailable, for the whole folder",
        "upgrade",
    )
    if wanted("upgrade"):
        for add in (_output_dir, _quality, _sites, _network, _common):
            add(upgrade)

    status = _add(
        sub,
        "status",
        "what the folder holds: posts and files by state per creator, and what the next run "
        "would try (reads the disk, fetches nothing)",
        "status",
        "exit status:\n  0    shown\n  2    no archive in the folder, or a bad option\n"
        "  5    the archive cannot be read\n",
    )
    if wanted("status"):
        _output_dir(status)
        _common(status)

    login = _add(sub, "login", "store credentials for a site (files readable by you only)", "login")
    if wanted("login"):
        login_sub = login.add_subparsers(dest="site", metavar="SITE", parser_class=_Parser)
        login_sub.required = True
        kemono = _add(
            login_sub, "kemono", "log in to Kemono, Coomer or Pawchive; keep the session", "login"
        )
        kemono.add_argument("--username", help="account name (asked when missing)")
        kemono.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )
        kemono.add_argument("--session", metavar="COOKIE", help="store this session cookie as is")
        kemono.add_argument(
            "--site",
            dest="kemono_site",
            choices=("kemono", "coomer", "pawchive"),
            default="kemono",
            help="which Kemono-compatible site (kemono)",
        )
        _sites(kemono)
        _common(kemono)
        pixiv = _add(
            login_sub, "pixiv", "log in to pixiv (browser, then a code); keep the token", "login"
        )
        pixiv.add_argument(
            "--refresh-token", metavar="TOKEN", help="store this refresh token as is"
        )
        _sites(pixiv)
        _common(pixiv)

    emulate = _add(sub, "emulate", "serve an offline emulator of a site on 127.0.0.1", "emulate")
    if wanted("emulate"):
        emulate_sub = emulate.add_subparsers(dest="site", metavar="SITE", parser_class=_Parser)
        emulate_sub.required = True
        for site in ("kemono", "pixiv"):
            child = _add(emulate_sub, site, f"serve the {site} emulator until Ctrl-C", "emulate")
            if emulator_hooks is not None:
                emulator_hooks(site, child)

    # kemopix serve (its code is imported only when it runs: kemopix.serve.cli)
    serve = _add(
        sub,
        "serve",
        "browse an archive folder in a web browser (and a JSON API); see docs/serve.md",
        "serve",
        "exit status:\n  0    stopped (Ctrl-C)\n  1    the archive cannot be read, or the address"
        " cannot be bound\n  2    no archive in the folder, or a bad option\n",
    )
    if wanted("serve"):
        from .._server import port  # with asyncio: imported for `serve` only

        _output_dir(serve)
        serve.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
        serve.add_argument("--port", type=port, default=8765, help="port (8765)")
        serve.add_argument("--open", action="store_true", help="open the gallery in a web browser")
        serve.add_argument(
            "--config", metavar="FILE", help="config file (default: <config>/config.toml)"
        )

    demo = _add(
        sub,
        "demo",
        "start both emulators, archive a creator from each and show where the files went",
        "demo",
    )
    if wanted("demo"):
        demo.add_argument(
            "-o", "--output", metavar="DIR", default="demo-output", help="(demo-output)"
        )
        _common(demo)
    return parser


def parse_args(
    argv: Sequence[str] | None,
    emulator_hooks: Callable[[str, argparse.ArgumentParser], None] | None = None,
) -> argparse.Namespace:
    """Parse ``argv``; no command prints the help and is a usage error."""
    words = list(sys.argv[1:] if argv is None else argv)
    if "emulate" not in words:
        emulator_hooks = None  # importing the emulators costs a fifth of a second
    # The sub-command is the first word that is not an option (the top level takes no values).
    command = next((word for word in words if not word.startswith("-")), None)
    parser = build_parser(emulator_hooks, command)
    args = parser.parse_args(words)
    if getattr(args, "command", None) is None:
        parser.print_help()
        raise UsageError("a command is needed (see `kemopix --help`)")
    return args
