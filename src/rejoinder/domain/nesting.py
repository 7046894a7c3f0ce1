"""How deeply a JSON text nests, measured on its bytes before any parser sees them.

JSON decoders recurse once per `[` or `{`: 60,000 of them (60 KB, under the body limit) exhaust Python's
stack and end as a RecursionError, a 500. rejoinder's own documents nest a few levels, so anything deeper
than MAX_JSON_DEPTH is refused as a 400 before decoding (web/guard.py for request bodies; the passkey
answer and a publisher's SSO token, which carry JSON of their own, call check_json_depth too).
"""

from __future__ import annotations

import re
from itertools import accumulate

from rejoinder.errors import BadRequest

MAX_JSON_DEPTH = 32

# A string, escapes included; an unterminated one runs to the end (its brackets are not structure either).
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\Z)', re.DOTALL)  # possessive: no backtracking
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_SQUARE = bytes.maketrans(b"{}", b"[]")  # one kind of bracket is enough to measure depth
_STEP = [0] * 256
_STEP[ord("[")] = 1
_STEP[ord("]")] = -1


def json_depth_exceeds(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the brackets of `data` outside strings nest deeper than `limit`.

    Cheap on ordinary bodies: when there are no more `[`/`{` bytes than `limit` (counted in C), nothing
    else runs. Otherwise strings are cut out with one regular expression and the brackets left are
    measured by C-level operations (a run of openers, removing `[]` pairs `limit` times, at worst a running
    sum by C iterators), never a Python loop per byte. Malformed JSON is not judged here (the decoder does
    that), except that an unbalanced text may be called too deep.
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", data).translate(_SQUARE, _NOT_BRACKETS)
    if brackets.count(b"[") <= limit:
        return False
    if b"[" * (limit + 1) in brackets:  # the usual attack: a long run of openers
        return True
    rest = brackets
    for _ in range(limit):  # each pass removes the innermost level: depth <= limit leaves nothing
        shorter = rest.replace(b"[]", b"")
        if not shorter:
            return False
        if len(shorter) == len(rest):
            break
        rest = shorter
    return max(accumulate(map(_STEP.__getitem__, brackets))) > limit


def check_json_depth(data: bytes | str, *, what: str = "The JSON body", limit: int = MAX_JSON_DEPTH) -> None:
    """Raises BadRequest `json-too-deep` when `data` nests deeper than `limit` (see json_depth_exceeds)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if json_depth_exceeds(raw, limit):
        raise BadRequest(
            f"{what} nests arrays or objects more than {limit} levels deep", code="json-too-deep"
        )
