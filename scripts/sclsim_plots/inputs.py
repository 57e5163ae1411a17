"""Every input of a scenario with its value and the comment that gives its
source. Values come from tomllib (the effective scenario a results file
stores); sources come from the comments of the scenario text, paired with keys
by a line scanner: a key's trailing comment, else the comment lines right
above it. Paths are those of `--set`: entries of [[regimens]] and
[[strategies]] (and their sub-tables) by name, inline lists by 0-based position.
"""
import re
import tomllib

HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(#.*)?$")
KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=\s*(.*)$")
INLINE_KEY = re.compile(r"([A-Za-z0-9_\-]+)\s*=")


def split_comment(line):
    """(code, comment) of one TOML line: the first '#' outside a string."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            if char == quote and line[i - 1] != "\\":
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:i], line[i + 1:].strip()
    return line, ""


class CommentScanner:
    """Maps key paths to (trailing comment, comment lines above, line number)."""

    def __init__(self, text):
        self.comments = {}
        self._array_counts = {}    # resolved array-of-tables path -> entries so far
        self._entries = {}         # array-of-tables key as written -> path of its latest entry
        self._array = None         # (key as written, resolved path) while in an array entry
        self._prefix = ""
        self._pending = []         # comment lines since the last key or blank line
        self._inline = None        # (path of an open inline list, next index, comment above)
        self._table_note = ""      # comments around a table's header: the fallback for its keys
        self._keys_in_table = 0
        for number, line in enumerate(text.splitlines(), start=1):
            self._line(line, number)

    def _line(self, line, number):
        code, comment = split_comment(line)
        if self._inline is not None:
            self._inline_entry(code, comment, number)
            return
        if not code.strip():
            self._pending = self._pending + [comment] if comment else []
            return
        header = HEADER.match(line)
        if header:
            self._header(header.group(2), header.group(1) == "[[")
            self._table_note = " ".join(self._pending)
            self._keys_in_table = 0
            self._pending = []
            return
        key = KEY.match(code)
        if not key:
            return
        name, value = key.group(1), key.group(2).strip()
        if name == "name" and self._array is not None:
            written, resolved = self._array
            self._prefix = f"{resolved}.{tomllib.loads(f'v = {value}')['v']}"
            self._entries[written] = self._prefix
        path = f"{self._prefix}.{name}" if self._prefix else name
        if self._keys_in_table == 0 and self._pending:
            self._table_note = " ".join([self._table_note] + self._pending).strip()
        self._keys_in_table += 1
        above = " ".join(self._pending) or self._table_note
        self.comments[path] = (comment, above, number)
        if value.startswith("{"):  # inline table: its keys share the line's comment
            for inner in INLINE_KEY.findall(value):
                self.comments[f"{path}.{inner}"] = (comment, above, number)
        if value.startswith("[") and not value.rstrip().endswith("]"):
            self._inline = (path, 0, above)
        elif value.startswith("[") and "{" in value:
            self._inline_items(path, value, comment, above, number, 0)
        self._pending = []

    def _header(self, written, is_array):
        """[[regimens.adverse_events]] hangs under the latest [[regimens]] entry."""
        parts = written.split(".")
        resolved = written
        for k in range(len(parts) - 1, 0, -1):
            parent = ".".join(parts[:k])
            if parent in self._entries:
                resolved = self._entries[parent] + "." + ".".join(parts[k:])
                break
        if not is_array:
            self._prefix, self._array = resolved, None
            return
        count = self._array_counts.get(resolved, 0)
        self._array_counts[resolved] = count + 1
        self._prefix = f"{resolved}.{count}"  # renamed when a name key follows
        self._entries[written] = self._prefix
        self._array = (written, resolved)

    def _inline_entry(self, code, comment, number):
        path, index, above = self._inline
        if code.strip().startswith("]"):
            self._inline = None
            return
        if "{" in code:
            self._inline_items(path, "[" + code, comment, above, number, index)
            self._inline = (path, index + code.count("{"), above)

    def _inline_items(self, path, value, comment, above, number, start):
        for k, table in enumerate(re.findall(r"\{([^}]*)\}", value)):
            for key in INLINE_KEY.findall(table):
                self.comments[f"{path}.{start + k}.{key}"] = (comment, above, number)


def flatten(table, prefix=""):
    """(path, value) of every scalar of a parsed scenario, in file order."""
    for key, value in table.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            yield from flatten(value, path)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for index, entry in enumerate(value):
                label = entry.get("name", str(index))
                yield from flatten({k: v for k, v in entry.items()}, f"{path}.{label}")
        elif isinstance(value, list):
            yield path, value
        else:
            yield path, value


def scenario_inputs(effective_text, source_texts):
    """[(path, value, source comment, note)] of every scalar input, in the
    order of the scenario files (the base file's order for inherited keys).

    effective_text: the merged scenario (values); source_texts: the texts whose
    comments give sources, most specific first (a scenario, then what it extends).
    """
    effective = tomllib.loads(effective_text)
    scanners = [CommentScanner(text) for text in source_texts if text]
    rows = []
    for position, (path, value) in enumerate(flatten(effective)):
        comment, above = "", ""
        for scanner in scanners:
            if path in scanner.comments:
                comment, above, _ = scanner.comments[path]
                break
        lines = [scanner.comments[path][2] for scanner in scanners if path in scanner.comments]
        order = (lines[-1] if lines else float("inf"), position)
        rows.append((order, (path, value, comment, above)))
    return [row for _, row in sorted(rows, key=lambda item: item[0])]
