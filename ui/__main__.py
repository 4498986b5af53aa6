"""``python -m ui``: serve the web UI (the same as ``reportbot ui``).

python -m ui --host 127.0.0.1 --port 7860 --auth user:password[,user2:password2]
python -m ui --auth-file logins.txt      # one user:password a line
"""

from __future__ import annotations

import argparse


def _args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ui", description="Serve the reportbot web UI.")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; 0.0.0.0 serves the network)",
    )
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument(
        "--auth",
        metavar="USER:PASSWORD",
        default=None,
        help="require a login: user:password, several separated by commas "
        "(default: env REPORTBOT_UI_AUTH, else none)",
    )
    parser.add_argument(
        "--auth-file",
        metavar="FILE",
        default=None,
        help="logins from a file of user:password lines (default: env REPORTBOT_UI_AUTH_FILE)",
    )
    parser.add_argument(
        "--share",
        action="store_true",
        help="also create a public gradio.live link (needs internet)",
    )
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> None:
    args = _args(argv)
    from ui.app import main  # after parsing: --help should not import gradio

    main(args.host, args.port, args.auth, args.share, args.auth_file)


if __name__ == "__main__":
    run()
