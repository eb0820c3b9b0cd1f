"""The model classes compare, hash and print as dataclass-generated methods would."""

from __future__ import annotations

import dataclasses
from typing import Any

from conftest import SAMPLES

import headerscope
from headerscope import model


def _instances(value: Any, out: dict[type, Any]) -> None:
    """One instance of every model class found in a report, by walking it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out.setdefault(type(value), value)
        for item in value.__dict__.values():
            _instances(item, out)
    elif isinstance(value, tuple):
        for item in value:
            _instances(item, out)


def test_equality_hash_and_repr_match_generated_dataclass_methods() -> None:
    found: dict[type, Any] = {}
    for name in ("mailing-list.eml", "forwarded-srs.eml", "spoofed.eml"):
        path = SAMPLES / name
        report = headerscope.analyze(path.read_bytes(), dns_snapshot=str(path.with_suffix(".dns.json")))
        _instances(report, found)
    assert len(found) >= 18, sorted(c.__name__ for c in found)
    for cls, value in found.items():
        twin = dataclasses.replace(value)
        assert twin is not value and twin == value and hash(twin) == hash(value)
        assert value.__ne__(twin) is False  # != follows the written __eq__
        first = dataclasses.fields(cls)[0].name
        changed = dataclasses.replace(value, **{first: "something else"})
        assert changed != value and value != changed
        # what @dataclass(frozen=True) generates, for the same field values
        reference = dataclasses.make_dataclass(cls.__name__, [f.name for f in dataclasses.fields(cls)], frozen=True)
        plain = reference(**value.__dict__)
        assert repr(value) == repr(plain).replace("make_dataclass.<locals>.", "")
        assert hash(value) == hash(plain)
        assert (value == plain) is False  # another class is never equal, as with dataclasses
    try:
        found[model.Finding].title = "x"
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("model objects must stay frozen")


def test_frozen_classes_refuse_every_change_after_init_and_still_copy_and_pickle() -> None:
    import copy
    import pickle

    from headerscope._value import frozen

    finding = model.Finding(id="x.y", severity=model.Severity.INFO, title="t", explanation="e")
    assert not model.Finding.__dataclass_params__.frozen  # type: ignore[attr-defined]  # @frozen, not dataclasses'
    for change in (lambda: setattr(finding, "title", "u"), lambda: setattr(finding, "new_attribute", 1),
                   lambda: delattr(finding, "title")):
        try:
            change()
        except dataclasses.FrozenInstanceError:
            pass
        else:
            raise AssertionError("a @frozen object changed")
    assert finding.title == "t" and "new_attribute" not in finding.__dict__
    assert dataclasses.replace(finding, title="u").title == "u"
    assert pickle.loads(pickle.dumps(finding)) == finding == copy.deepcopy(finding)
    assert list(pickle.loads(pickle.dumps(finding)).__dict__) == [f.name for f in dataclasses.fields(model.Finding)]

    class NotAValue:
        pass

    try:
        frozen(NotAValue)
    except TypeError:
        pass
    else:
        raise AssertionError("@frozen must refuse a class without Value's guard")


def _value_classes() -> list[type]:
    """Every @frozen class of the package (all its modules imported)."""
    import importlib
    import pkgutil

    from headerscope._value import Value

    for info in pkgutil.walk_packages(headerscope.__path__, "headerscope."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found: list[type] = []
    pending = list(Value.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "__dataclass_fields__" in vars(cls):
            found.append(cls)
    return found


def test_frozen_init_builds_what_a_generated_dataclass_init_builds() -> None:
    from headerscope._value import _compiled_init

    classes = _value_classes()
    assert len(classes) >= 40, len(classes)
    for cls in classes:
        fields = dataclasses.fields(cls)
        spec: list[Any] = []
        for f in fields:
            if f.default is not dataclasses.MISSING:
                spec.append((f.name, Any, dataclasses.field(default=f.default)))
            elif f.default_factory is not dataclasses.MISSING:
                spec.append((f.name, Any, dataclasses.field(default_factory=f.default_factory)))
            else:
                spec.append((f.name, Any))
        reference = dataclasses.make_dataclass(cls.__name__, spec, frozen=True)
        required = [f.name for f in fields if f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING]
        every = {f.name: f"value of {f.name}" for f in fields}
        calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
            ((), {name: f"value of {name}" for name in required}),  # defaults and factories
            ((), dict(reversed(every.items()))),  # keyword order must not matter
            (tuple(every.values()), {}),  # all positional
            (tuple(every.values())[:1], dict(list(every.items())[1:])),  # mixed
        ]
        compiled = _compiled_init(cls)

        def built_by_compiled(*args: Any, **kwargs: Any) -> Any:
            obj = object.__new__(cls)  # noqa: B023 - used within the iteration
            compiled(obj, *args, **kwargs)  # noqa: B023
            return obj

        for args, kwargs in calls:
            made, expected = cls(*args, **kwargs), reference(*args, **kwargs)
            assert list(vars(made).items()) == list(vars(expected).items()), cls
            # The __init__ compiled once a class is used often builds the same object.
            assert list(vars(built_by_compiled(*args, **kwargs)).items()) == list(vars(expected).items()), cls
        # The same arguments are refused: missing, unknown, repeated, too many.
        bad_calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
            ((), {**every, "no_such_field": 1}),
            ((*every.values(), "one too many"), {}),
            (("x",), {fields[0].name: "y"}),
        ]
        if required:
            bad_calls.append(((), {name: 1 for name in every if name != required[-1]}))
        for args, kwargs in bad_calls:
            for maker in (cls, reference, built_by_compiled):
                try:
                    maker(*args, **kwargs)
                except TypeError:
                    pass
                else:
                    raise AssertionError(f"{maker.__qualname__} accepted {args!r} {kwargs!r}")


def test_replace_builds_what_dataclasses_replace_builds() -> None:
    from headerscope._value import Value, frozen, replace
    from headerscope.message import parse_message

    def same(made: Any, expected: Any) -> None:
        assert type(made) is type(expected) and list(vars(made).items()) == list(vars(expected).items())

    for cls in _value_classes():
        names = [f.name for f in dataclasses.fields(cls)]
        obj = cls(**{name: f"value of {name}" for name in names})
        for changes in ({}, {names[0]: "changed"}, {names[-1]: None},
                        {name: f"new {name}" for name in reversed(names)}):
            made = replace(obj, **changes)
            assert made is not obj
            same(made, dataclasses.replace(obj, **changes))
        for bad in ({"no_such_field": 1}, {names[0]: 1, "no_such_field": 2}):
            for maker in (replace, dataclasses.replace):
                try:
                    maker(obj, **bad)
                except TypeError:
                    pass
                else:
                    raise AssertionError(f"{maker.__qualname__} accepted {bad!r} for {cls.__name__}")
    # An object holding a cached property's value is rebuilt by __init__, without it (the
    # changed fields may change what the property computes).
    message = parse_message(b"From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n")
    assert message.all("from") and "_by_name" in vars(message)
    changed = replace(message, raw=b"From: b@example.com\r\n\r\n")
    assert "_by_name" not in vars(changed) and changed.raw == b"From: b@example.com\r\n\r\n"
    same(changed, dataclasses.replace(message, raw=b"From: b@example.com\r\n\r\n"))

    # A subclass that @frozen did not make (it may add an __init__ of its own), and a plain
    # frozen dataclass: dataclasses.replace itself.
    @frozen
    class Base(Value):
        """A test class."""

        a: int
        b: str = "b"

    class Counted(Base):
        made = 0

        def __init__(self, a: int, b: str = "b") -> None:
            Counted.made += 1
            super().__init__(a, b)

    @dataclasses.dataclass(frozen=True)
    class Plain:
        a: int
        b: str = "b"

    same(replace(Base(1), b="c"), Base(1, "c"))
    counted = Counted(1)
    same(replace(counted, b="c"), dataclasses.replace(counted, b="c"))
    assert Counted.made == 3
    assert replace(Plain(1), b="c") == Plain(1, "c")


def test_a_class_built_often_gets_its_compiled_init_and_builds_the_same_objects() -> None:
    from headerscope import _value
    from headerscope._value import Value, frozen

    @frozen
    class Often(Value):
        """A test class."""

        a: int
        b: str = "b"
        c: list[int] = dataclasses.field(default_factory=list)

    closure = Often.__init__
    early = [Often(i, c=[i]) for i in range(_value.COMPILE_AFTER - 1)]
    assert Often.__init__ is closure
    later = [Often(i, c=[i]) for i in range(_value.COMPILE_AFTER - 1, 2 * _value.COMPILE_AFTER)]
    assert Often.__init__ is not closure and Often.__init__.__qualname__.endswith("Often.__init__")
    assert [vars(o) for o in early + later] == [{"a": i, "b": "b", "c": [i]} for i in range(2 * _value.COMPILE_AFTER)]
    # A factory runs for every object that leaves its field out, as before.
    first, second = Often(1), Often(2)
    assert first.c == [] and first.c is not second.c
    try:
        Often(b="x")
    except TypeError as exc:
        assert "Often.__init__() missing 1 required positional argument: 'a'" in str(exc)
    else:
        raise AssertionError("a missing field was accepted")


def test_frozen_refuses_what_its_init_does_not_run() -> None:
    from headerscope._value import Value, frozen

    class WithHook(Value):
        a: int

        def __post_init__(self) -> None:
            pass

    class KeywordOnly(Value):
        a: int = dataclasses.field(kw_only=True)

    class NotInInit(Value):
        a: int = dataclasses.field(default=0, init=False)

    for cls in (WithHook, KeywordOnly, NotInInit):
        try:
            frozen(cls)
        except TypeError:
            pass
        else:
            raise AssertionError(f"@frozen accepted {cls.__name__}")


def test_every_frozen_class_has_a_docstring() -> None:
    # Without one, dataclasses writes a docstring from inspect.signature(cls) at import: about
    # 4 ms of every start-up for the first class (inspect compiles its regexes then).
    assert [cls.__qualname__ for cls in _value_classes() if not cls.__doc__] == []


def _escape_hidden_by_regex(data: bytes) -> bytes:
    """The escape as it was written before the table: one regex callback per character."""
    return model._hidden_utf8().sub(model._json_escape, data)


def test_hidden_characters_are_escaped_as_before_without_a_call_per_character(monkeypatch: Any) -> None:
    import re

    # The table holds exactly the code points the regex matches (every code point checked).
    pattern = re.compile(model._HIDDEN_UTF8)
    matched = {code for code in range(0x80, 0x110000)
               if not 0xD800 <= code <= 0xDFFF and pattern.fullmatch(chr(code).encode("utf-8"))}
    assert set(model._hidden_table()) == matched
    # A mixed sample: every hidden character between ASCII, Latin, CJK, emoji and the
    # characters next to the hidden ranges (U+2065, U+2070, U+FEFE, U+E0080), byte for byte.
    hidden = "".join(chr(code) for code in sorted(matched))
    text = f"a\u202e\u2066é{hidden}漢\u2065\u2070\ufefe\U000e0080😀\u200bz"
    data = ('{"subject":"' + text + '","n":[1,2]}').encode("utf-8")
    expected = _escape_hidden_by_regex(data)
    assert b"\\u202e" in expected and b"\\udb40\\udc01" in expected
    # Many hidden characters cost no Python call each (a 7.7 MB Subject of bidi controls made
    # 3 million calls and a gigabyte of pieces): count the calls of the old callback.
    calls = 0
    original = model._json_escape

    def counting(match: re.Match[bytes]) -> bytes:
        nonlocal calls
        calls += 1
        return original(match)

    monkeypatch.setattr(model, "_json_escape", counting)
    model._hidden_table.cache_clear()
    try:
        assert model._escape_hidden(data) == expected
        calls = 0
        big = ('{"s":"' + "\u202e\u2066abc\u2069\u200b" * 10_000 + '"}').encode("utf-8")
        assert model._escape_hidden(big) == ('{"s":"' + "\\u202e\\u2066abc\\u2069\\u200b" * 10_000 + '"}').encode()
        assert calls == 0
    finally:
        model._hidden_table.cache_clear()
    assert model._escape_hidden(b'{"a":"plain \xc3\xa9"}') == b'{"a":"plain \xc3\xa9"}'
