"""A small evaluator of REDCap's calc syntax, to prove our calc fields score as SIJ-PRO does.

It follows REDCap's rules for what we use: ``[field]``, numbers, ``''`` (blank), + - * /, = <> < <=
> >=, and/or, if(), sum() and mean() (both skip blanks), round(). A blank in arithmetic makes the
result blank; ``[field]=''`` is true for a blank field. An unknown function or field is an error, so
a typo in a generated expression fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

Value = float | str | bool | None

TOKEN = re.compile(r"\s*(?:(\d+\.\d+|\d+)|('[^']*'|\"[^\"]*\")|\[([a-z0-9_]+)\]|([a-z_]+)|(<>|<=|>=|[-+*/(),=<>]))")


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match:
            raise SyntaxError(f"cannot read {text[position:position + 20]!r}")
        number, string, field, word, operator = match.groups()
        if number:
            tokens.append(("num", number))
        elif string is not None:
            tokens.append(("str", string[1:-1]))
        elif field:
            tokens.append(("field", field))
        elif word:
            tokens.append(("word", word))
        else:
            tokens.append(("op", operator))
        position = match.end()
    return tokens


class Evaluator:
    def __init__(self, text: str, values: Mapping[str, float | None]) -> None:
        self.tokens = tokenize(text)
        self.position = 0
        self.values = values

    def evaluate(self) -> Value:
        result = self.or_()
        if self.position != len(self.tokens):
            raise SyntaxError(f"unexpected {self.tokens[self.position]}")
        return result

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.tokens[self.position]
        if expected is not None and token[1] != expected:
            raise SyntaxError(f"expected {expected}, found {token}")
        self.position += 1
        return token

    def or_(self) -> Value:
        left = self.and_()
        while self.peek() == ("word", "or"):
            self.take()
            right = self.and_()
            left = bool(left) or bool(right)
        return left

    def and_(self) -> Value:
        left = self.comparison()
        while self.peek() == ("word", "and"):
            self.take()
            right = self.comparison()
            left = bool(left) and bool(right)
        return left

    def comparison(self) -> Value:
        left = self.sum_()
        token = self.peek()
        if token and token[0] == "op" and token[1] in ("=", "<>", "<", "<=", ">", ">="):
            operator = self.take()[1]
            right = self.sum_()
            return compare(left, operator, right)
        return left

    def sum_(self) -> Value:
        left = self.product()
        while self.peek() in (("op", "+"), ("op", "-")):
            operator = self.take()[1]
            right = self.product()
            left = arithmetic(left, operator, right)
        return left

    def product(self) -> Value:
        left = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            operator = self.take()[1]
            right = self.unary()
            left = arithmetic(left, operator, right)
        return left

    def unary(self) -> Value:
        if self.peek() == ("op", "-"):
            self.take()
            return arithmetic(0.0, "-", self.unary())
        return self.atom()

    def atom(self) -> Value:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            if text:
                raise SyntaxError("only the blank string is used in calc fields")
            return ""
        if kind == "field":
            if text not in self.values:
                raise KeyError(f"calc refers to unknown field [{text}]")
            return self.values[text]
        if kind == "op" and text == "(":
            result = self.or_()
            self.take(")")
            return result
        if kind == "word":
            return self.call(text)
        raise SyntaxError(f"unexpected {text}")

    def arguments(self) -> list[Value]:
        self.take("(")
        found = [self.or_()]
        while self.peek() == ("op", ","):
            self.take()
            found.append(self.or_())
        self.take(")")
        return found

    def call(self, name: str) -> Value:
        arguments = self.arguments()
        if name == "if":
            condition, yes, no = arguments
            return yes if condition else no
        present = [float(a) for a in arguments if a is not None and a != ""]  # type: ignore[arg-type]
        if name == "sum":
            return sum(present)
        if name == "mean":
            return sum(present) / len(present) if present else None
        if name == "round":
            value, digits = arguments
            return None if value in (None, "") else round(float(value), int(digits))  # type: ignore[arg-type]
        raise SyntaxError(f"unknown function {name}()")


def blank(value: Value) -> bool:
    return value is None or value == ""


def compare(left: Value, operator: str, right: Value) -> bool:
    if operator in ("=", "<>") and (right == "" or left == ""):
        same = blank(left) and blank(right)
        return same if operator == "=" else not same
    if blank(left) or blank(right):
        return False
    a, b = float(left), float(right)  # type: ignore[arg-type]
    return {"=": a == b, "<>": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[operator]


def arithmetic(left: Value, operator: str, right: Value) -> Value:
    if blank(left) or blank(right):
        return None
    a, b = float(left), float(right)  # type: ignore[arg-type]
    if operator == "/":
        return None if b == 0 else a / b  # REDCap shows a division by zero as blank
    return {"+": a + b, "-": a - b, "*": a * b}[operator]


def evaluate(text: str, values: Mapping[str, float | None]) -> float | None:
    result = Evaluator(text, values).evaluate()
    return None if blank(result) else float(result)  # type: ignore[arg-type]


def referenced_fields(text: str) -> set[str]:
    return {value for kind, value in tokenize(text) if kind == "field"}
