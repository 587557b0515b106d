"""Parses EDIFACT interchanges with pydifact, an independent implementation, for the
interoperability test in crates/edi/tests/pydifact.rs.

Usage: python3 parse.py FILE...

Prints one JSON array with, per file: its syntax identifier, every segment from UNB to UNZ as
its tag and its elements (each a list of components), and the message types pydifact found
between UNH and UNT. Exits non-zero if pydifact refuses a file.
"""

import json
import sys
import warnings

from pydifact.parser import Parser
from pydifact.segmentcollection import Interchange

# pydifact ships no segment definitions for most directories and says so once per segment.
warnings.filterwarnings("ignore", message="segments.xml not found")

# The character set of each syntax identifier (UNB 0001), which pydifact leaves to the caller.
ENCODINGS = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "iso8859-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOW": "utf-8",
    "UNOY": "utf-8",
}


def syntax_of(data: bytes) -> str:
    """The syntax identifier, read from the ASCII bytes just after 'UNB+'."""
    start = data.find(b"UNB")
    if start < 0:
        raise ValueError("no UNB")
    return data[start + 4 : start + 8].decode("ascii")


def components(element) -> list:
    return element if isinstance(element, list) else [element]


def describe(path: str) -> dict:
    with open(path, "rb") as file:
        data = file.read()
    syntax = syntax_of(data)
    text = data.decode(ENCODINGS[syntax])
    # The interchange: UNB checked, messages paired UNH with UNT.
    interchange = Interchange.from_str(text)
    messages = [message.type for message in interchange.get_messages()]
    # Every segment as read, UNB to UNZ (the Interchange keeps neither UNB nor UNZ as read).
    segments = [segment for segment in Parser().parse(text) if segment.tag != "UNA"]
    return {
        "file": path,
        "syntax": syntax,
        "syntax_identifier": [interchange.syntax_identifier[0], interchange.syntax_identifier[1]],
        "sender": components(interchange.sender),
        "recipient": components(interchange.recipient),
        "control_reference": interchange.control_reference,
        "segments": [
            {"tag": segment.tag, "elements": [components(element) for element in segment.elements]}
            for segment in segments
        ],
        "messages": messages,
    }


def main() -> int:
    results = [describe(path) for path in sys.argv[1:]]
    json.dump(results, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
