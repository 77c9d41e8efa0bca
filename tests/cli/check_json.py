"""Checks one JSON output of the h5mf tool against docs/cli.md: "format_version" is 1 and every
top-level key is listed in the output's section. Usage: check_json.py DOC COMMAND FILE|-"""

import json
import re
import sys


def documented_keys(doc_text, command):
    """The backticked names in the first column of the tables of `## `h5mf COMMAND --json...``."""
    match = re.search(r'^## `h5mf ' + re.escape(command) + r' --json[^\n]*\n(.*?)(?=^## |\Z)', doc_text,
                      re.MULTILINE | re.DOTALL)
    if not match:
        sys.exit(f'FAIL: docs/cli.md has no section for h5mf {command} --json')
    keys = set()
    for line in match.group(1).splitlines():
        if line.startswith('| `'):
            keys.update(re.findall(r'`([a-z_]+)`', line.split('|')[1]))
    return keys


def main():
    doc, command, path = sys.argv[1:4]
    with open(doc, encoding='utf-8') as f:
        keys = documented_keys(f.read(), command)
    text = sys.stdin.read() if path == '-' else open(path, encoding='utf-8').read()
    output = json.loads(text)
    if output.get('format_version') != 1:
        sys.exit(f'FAIL: h5mf {command}: format_version is {output.get("format_version")!r}, not 1')
    missing = sorted(set(output) - keys)
    if missing:
        sys.exit(f'FAIL: h5mf {command}: keys not in docs/cli.md: {", ".join(missing)}')
    print(f'h5mf {command} --json: format_version 1, {len(output)} keys, all documented')


main()
