#!/usr/bin/env python3
"""Writes a man page (roff, gzipped) from a program's own --help, so the page never drifts from
the program: finetune-cli's top-level help and that of every subcommand (and their subcommands),
or the studio's single --help.

    make-manpage.py PROGRAM NAME SUMMARY OUT.1.gz [--version V]
"""
import argparse
import datetime
import gzip
import os
import re
import subprocess
import sys

SUBCOMMAND_LINE = re.compile(r"^  ([a-z][a-z0-9-]*)\s{2,}(\S.*)$")


def help_text(program, args):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FT_STUDIO_LANGUAGE="en", LC_ALL="C.UTF-8")
    done = subprocess.run([program, *args, "--help"], capture_output=True, text=True, env=env,
                          timeout=60)
    if done.returncode != 0:
        sys.exit(f"make-manpage: {program} {' '.join(args)} --help exited {done.returncode}: "
                 f"{done.stderr.strip()}")
    # The usage line names the build folder's path; the installed program is on PATH.
    return done.stdout.replace(program, os.path.basename(program))


def subcommands(text):
    """The (name, summary) pairs listed under 'Subcommands:' in a CLI11 help text."""
    found, inside = [], False
    for line in text.splitlines():
        if line.strip() == "Subcommands:":
            inside = True
            continue
        if inside:
            match = SUBCOMMAND_LINE.match(line)
            if match:
                found.append(match.groups())
            elif line.strip() and not line.startswith("   "):
                inside = False
    return found


def roff_escape(text):
    text = text.replace("\\", "\\e")
    # A line starting with '.' or "'" would be read as a request.
    return "\n".join(("\\&" + l if l.startswith((".", "'")) else l) for l in text.splitlines())


def preformatted(text):
    return ".nf\n" + roff_escape(text.rstrip()) + "\n.fi\n"


def page(program, name, summary, version):
    date = datetime.date.fromtimestamp(
        int(os.environ.get("SOURCE_DATE_EPOCH", datetime.datetime.now().timestamp()))).isoformat()
    top = help_text(program, [])
    out = [f'.TH {name.upper()} 1 "{date}" "FineTune Studio {version}" "User Commands"',
           ".SH NAME", f"{name} \\- {roff_escape(summary)}", ".SH SYNOPSIS"]
    commands = subcommands(top)
    out.append(f".B {name}\n[\\fIOPTIONS\\fR]" + (" \\fICOMMAND\\fR [\\fIARGS\\fR]" if commands else ""))
    out += [".SH DESCRIPTION", preformatted(top)]
    if commands:
        out.append(".SH COMMANDS")
        queue = [([c], s) for c, s in commands]
        while queue:
            path, summary_line = queue.pop(0)
            text = help_text(program, path)
            out += [f".SS {' '.join(path)}", roff_escape(summary_line), preformatted(text)]
            queue[0:0] = [(path + [c], s) for c, s in subcommands(text)]
        out += [".SH EXIT STATUS",
                "0 on success; 2 on bad input (one line on standard error naming the file, row or "
                "field and the problem); 1 on an internal error."]
    out += [".SH SEE ALSO", "finetune-studio(1), finetune-cli(1)",
            ".PP", "/usr/share/doc/finetune-studio/ holds the README and the guides (training, data, evaluation, GGUF)."]
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("program")
    parser.add_argument("name")
    parser.add_argument("summary")
    parser.add_argument("out")
    parser.add_argument("--version", default="")
    args = parser.parse_args()
    text = page(os.path.abspath(args.program), args.name, args.summary, args.version)
    tmp = args.out + ".tmp"
    # mtime 0: the same help gives the same bytes (reproducible packages).
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as z:
        z.write(text.encode("utf-8"))
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
