from __future__ import annotations

from streamsuites.config.dotenv import parse_dotenv, read_dotenv


def test_parse_accepted_forms():
    text = (
        "# comment\n\nA=1\nexport B = two words \nC='lit\\n #x' # c\n"
        'D="a\\nb \\"q\\""\nE=val # trailing\nF=\nA=last\n'
    )
    values, issues = parse_dotenv(text)
    assert issues == []
    assert values == {
        "A": "last",
        "B": "two words",
        "C": "lit\\n #x",
        "D": 'a\nb "q"',
        "E": "val",
        "F": "",
    }


def test_malformed_lines_are_numbered():
    _, issues = parse_dotenv('OK=1\n=x\n1A=b\nQ="open\n')
    assert [(i.file, i.line) for i in issues] == [(".env", 2), (".env", 3), (".env", 4)]


def test_missing_file_is_empty(tmp_path):
    assert read_dotenv(tmp_path) == ({}, [])
