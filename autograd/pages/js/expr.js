// Expressions typed by a user, in the page: autograd/expr.py's allow-list, in JavaScript.
//
// The same grammar as the command line's: Python's expression syntax is read (tokens, then a
// tree shaped as Python's ast, with the same node kinds and columns), then only numbers,
// names, + - * / **, unary - and +, and the functions of CONFIG.functions called as tanh(x) or
// x.tanh() are accepted; anything else is refused naming what and at which column, with
// expr.py's messages, before a single op runs. Nothing is ever evaluated as JavaScript.
//
// Where it differs from expr.py: the text of a syntax error (Python's parser words its own;
// here it is "syntax error (invalid syntax)" or a tokenizer message, with the column of the
// first token that cannot be read), and input that Python's parser finds too deep to parse
// at all (about 900 nested unary minus signs), which is refused here for its depth instead.
// Identifiers are checked with Unicode's XID properties of this JavaScript engine, which may
// know a newer Unicode than the Python that runs the command line. Needs engine.js.
(function (global) {
  "use strict";
  const E = global.autogradEngine;

  /*@EXPR@*/

  const MAX_LENGTH = CONFIG.maxLength;
  const MAX_DEPTH = CONFIG.maxDepth;
  const MAX_EXPONENT = CONFIG.maxExponent;
  const FUNCTIONS = CONFIG.functions;

  const BINARY = { Add: "+", Sub: "-", Mult: "*", Div: "/", Pow: "**" };
  const OPERATOR_NAMES = {
    "+": "Add", "-": "Sub", "*": "Mult", "/": "Div", "**": "Pow", "%": "Mod", "//": "FloorDiv",
    "@": "MatMult", "<<": "LShift", ">>": "RShift", "|": "BitOr", "&": "BitAnd", "^": "BitXor",
  };
  const REFUSED_OPERATORS = {
    Mod: "%", FloorDiv: "//", MatMult: "@", LShift: "<<", RShift: ">>", BitOr: "|", BitAnd: "&",
    BitXor: "^", Not: "not", Invert: "~",
  };
  const REFUSED_SYNTAX = {
    Subscript: "subscript [...]",
    Slice: "slice",
    Lambda: "lambda",
    ListComp: "list comprehension",
    SetComp: "set comprehension",
    DictComp: "dict comprehension",
    GeneratorExp: "generator expression",
    JoinedStr: "f-string",
    NamedExpr: "assignment expression ':='",
    Starred: "starred expression *...",
    Compare: "comparison",
    BoolOp: "'and'/'or'",
    IfExp: "conditional expression 'if ... else'",
    Tuple: "tuple",
    List: "list",
    Set: "set",
    Dict: "dict",
    Await: "await",
    Yield: "yield",
    YieldFrom: "yield from",
  };
  const OPERATORS_HINT = "the operators are + - * / ** and unary - +";
  const DEPTH_HINT = `expressions may nest at most ${MAX_DEPTH} levels (brackets, operators, calls)`;
  const CALL_HINT = "call a function with one plain argument, as tanh(x), or as a method, x.tanh()";
  const ALLOWED =
    "numbers, names, + - * / **, unary - and +, and the functions " + FUNCTIONS.join(", ") + " called as tanh(x) or x.tanh()";
  const POINTER_WIDTH = 72;

  const KEYWORDS = new Set(
    ("False None True and as assert async await break class continue def del elif else except finally for from " +
      "global if import in is lambda nonlocal not or pass raise return try while with yield").split(" ")
  );

  // ------------------------------------------------------------------ errors

  // expr.ExpressionError: "<what is wrong> at column <n>; <hint>"; `column` is 1-based or null.
  class ExpressionError extends Error {
    constructor(message, text = "", column = null, hint = "") {
      super(message + (column === null ? "" : ` at column ${column}`) + (hint ? `; ${hint}` : ""));
      this.name = "ExpressionError";
      this.text = text;
      this.column = column;
    }

    // Two lines: the expression, and a caret under the refused column ("" without a column).
    pointer() {
      if (this.column === null || !this.text) return "";
      let shown = Array.from(this.text, (c) => (E.isPrintable(c) ? c : " "));
      let caret = this.column - 1;
      if (shown.length > POINTER_WIDTH) {
        const start = Math.max(0, Math.min(caret - Math.floor(POINTER_WIDTH / 2), shown.length - POINTER_WIDTH));
        const end = start + POINTER_WIDTH;
        let window = shown.slice(start, end).join("");
        if (start > 0) {
          window = "..." + window;
          caret = caret - start + 3;
        }
        if (end < shown.length) window += "...";
        shown = Array.from(window);
      }
      return `  ${shown.join("")}\n  ${" ".repeat(caret)}^`;
    }
  }

  class SyntaxFault extends Error {
    constructor(message, position) {
      super(message);
      this.position = position; // 0-based code point, or null
    }
  }

  // ------------------------------------------------------------------ characters

  // str.isspace of Python
  const PY_SPACE = /^[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

  function checkCharacters(chars, text) {
    if (PY_SPACE.test(text)) throw new ExpressionError("the expression is empty", text);
    if (chars.length > MAX_LENGTH) {
      throw new ExpressionError(`an expression of ${chars.length} characters is not allowed`, "", MAX_LENGTH + 1, `the limit is ${MAX_LENGTH} characters`);
    }
    let depth = 0;
    chars.forEach((char, index) => {
      if (!E.isPrintable(char) && char !== " " && char !== "\t") {
        throw new ExpressionError(`the control character ${E.reprStr(char)} is not allowed`, text, index + 1, "the expression must be one line");
      }
      if ("([{".includes(char)) {
        depth += 1;
        if (depth > MAX_DEPTH) throw new ExpressionError(`brackets nested deeper than ${MAX_DEPTH} levels`, text, index + 1, DEPTH_HINT);
      } else if (")]}".includes(char)) {
        depth -= 1;
      }
    });
  }

  // ------------------------------------------------------------------ tokens (Python's tokenizer, one line)

  const ID_START = /[\p{XID_Start}_]/u;
  const ID_CONTINUE = /[\p{XID_Continue}]/u;
  const OPERATORS = [
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+=", "-=",
    "*=", "/=", "%=", "&=", "|=", "^=", "@=", "+", "-", "*", "/", "%", "@", "&", "|", "^", "~", "<", ">", "(",
    ")", "[", "]", "{", "}", ",", ":", ".", ";", "=",
  ];
  const STRING_PREFIXES = new Set(["r", "u", "b", "br", "rb", "f", "fr", "rf"]);
  const KEYWORD_AFTER_NUMBER = ["and", "else", "for", "if", "in", "is", "not", "or"];

  function isIdentifierChar(c) {
    return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c === "_" || c.codePointAt(0) >= 128;
  }

  function tokenize(chars) {
    const tokens = [];
    const brackets = [];
    let i = 0;
    const n = chars.length;
    const at = (k) => (k < n ? chars[k] : "");
    const digits = (k, ok) => {
      // digits with single underscores between them; returns the end, or throws
      if (!ok(at(k))) return k;
      k += 1;
      while (true) {
        if (at(k) === "_") {
          if (!ok(at(k + 1))) throw new SyntaxFault("invalid decimal literal", k);
          k += 2;
        } else if (ok(at(k))) {
          k += 1;
        } else {
          return k;
        }
      }
    };
    const isDigit = (c) => c >= "0" && c <= "9";
    // what may follow a number: not a letter, except the start of a keyword that can follow
    // one in valid code (1if x else 2: Python only warns)
    const endOfNumber = (k, message, where = k) => {
      if (at(k) === "" || !isIdentifierChar(at(k)) || isDigit(at(k))) return;
      const rest = chars.slice(k, k + 4).join("");
      if (!KEYWORD_AFTER_NUMBER.some((word) => rest.startsWith(word))) throw new SyntaxFault(message, where);
    };
    const oneOf = (set, c) => c !== "" && set.includes(c);
    while (i < n) {
      const c = chars[i];
      if (c === " " || c === "\t") {
        if (tokens.length === 0 && i === 0) {
          let k = i;
          while (at(k) === " " || at(k) === "\t") k += 1;
          if (k < n && at(k) !== "#") throw new SyntaxFault("unexpected indent", 0);
        }
        i += 1;
        continue;
      }
      if (c === "#") break;
      const start = i;
      // numbers
      if (isDigit(c) || (c === "." && isDigit(at(i + 1)))) {
        let k = i;
        let kind = "int";
        let text;
        if (c === "0" && oneOf("xXoObB", at(i + 1))) {
          const base = oneOf("xX", at(i + 1)) ? 16 : oneOf("oO", at(i + 1)) ? 8 : 2;
          const name = base === 16 ? "hexadecimal" : base === 8 ? "octal" : "binary";
          const ok = base === 16 ? (d) => /^[0-9a-fA-F]$/.test(d) : base === 8 ? (d) => /^[0-7]$/.test(d) : (d) => d === "0" || d === "1";
          k = i + 2;
          if (at(k) === "_") k += 1;
          if (!ok(at(k))) throw new SyntaxFault(`invalid ${name} literal`, k);
          try {
            k = digits(k, ok);
          } catch (fault) {
            throw new SyntaxFault(`invalid ${name} literal`, fault.position);
          }
          if (isDigit(at(k))) throw new SyntaxFault(`invalid digit '${at(k)}' in ${name} literal`, k);
          endOfNumber(k, `invalid ${name} literal`);
          text = chars.slice(i + 2, k).join("").replace(/_/g, "");
          const value = Number(BigInt((base === 16 ? "0x" : base === 8 ? "0o" : "0b") + text));
          tokens.push({ type: "NUMBER", start, end: k, value: { kind: "int", value } });
          i = k;
          continue;
        }
        k = digits(i, isDigit);
        const intEnd = k;
        if (at(k) === ".") {
          kind = "float";
          k += 1;
          if (at(k) === "_") throw new SyntaxFault("invalid decimal literal", k);
          k = digits(k, isDigit);
        }
        if (oneOf("eE", at(k))) {
          let m = k + 1;
          const signed = oneOf("+-", at(m));
          if (signed) m += 1;
          if (isDigit(at(m))) {
            k = digits(m, isDigit);
            kind = "float";
          } else if (signed) {
            throw new SyntaxFault("invalid decimal literal", m);
          } // else no exponent: "1else" is 1 and else, "1e" an invalid literal (below)
        }
        let imaginary = false;
        if (oneOf("jJ", at(k))) {
          imaginary = true;
          k += 1;
        }
        if (at(k) === "_") throw new SyntaxFault("invalid decimal literal", k);
        endOfNumber(k, imaginary ? "invalid imaginary literal" : "invalid decimal literal", start);
        text = chars.slice(i, imaginary ? k - 1 : k).join("").replace(/_/g, "");
        if (kind === "int" && !imaginary && /^0+[1-9]/.test(text) && intEnd === k) {
          throw new SyntaxFault("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", start);
        }
        let value;
        if (imaginary) value = { kind: "complex", imag: Number(text) };
        else if (kind === "int") value = { kind: "int", value: Number(BigInt(text)) };
        else value = { kind: "float", value: Number(text) };
        tokens.push({ type: "NUMBER", start, end: k, value });
        i = k;
        continue;
      }
      // names, and prefixed strings
      if (isIdentifierChar(c)) {
        let k = i;
        while (k < n && isIdentifierChar(chars[k])) k += 1;
        const raw = chars.slice(i, k).join("");
        if ((at(k) === "'" || at(k) === '"') && STRING_PREFIXES.has(raw.toLowerCase())) {
          i = readString(chars, i, k, raw.toLowerCase(), tokens);
          continue;
        }
        if (!/^[\x00-\x7f]*$/.test(raw)) {
          const codes = Array.from(raw);
          for (let m = 0; m < codes.length; m++) {
            if (!(m === 0 ? ID_START : ID_CONTINUE).test(codes[m])) {
              const code = codes[m].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
              throw new SyntaxFault(`invalid character '${codes[m]}' (U+${code})`, i + m);
            }
          }
        }
        tokens.push({ type: "NAME", start, end: k, raw, id: raw.normalize("NFKC") });
        i = k;
        continue;
      }
      if (c === "'" || c === '"') {
        i = readString(chars, i, i, "", tokens);
        continue;
      }
      const op = OPERATORS.find((o) => chars.slice(i, i + o.length).join("") === o);
      if (op === undefined) throw new SyntaxFault("invalid syntax", i);
      if ("([{".includes(op)) brackets.push([op, i]);
      if (")]}".includes(op)) {
        if (!brackets.length) throw new SyntaxFault(`unmatched '${op}'`, i);
        const [open] = brackets.pop();
        if ({ "(": ")", "[": "]", "{": "}" }[open] !== op) {
          throw new SyntaxFault(`closing parenthesis '${op}' does not match opening parenthesis '${open}'`, i);
        }
      }
      tokens.push({ type: "OP", start, end: i + op.length, op });
      i += op.length;
    }
    if (brackets.length) {
      const [open, where] = brackets[brackets.length - 1];
      throw new SyntaxFault(`'${open}' was never closed`, where);
    }
    tokens.push({ type: "END", start: n, end: n });
    return tokens;
  }

  const ESCAPES = { "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\x0b" };

  // One string literal from `prefixStart`; its quote at `quoteAt`. Pushes a STRING token.
  function readString(chars, prefixStart, quoteAt, prefix, tokens) {
    const quote = chars[quoteAt];
    const triple = chars[quoteAt + 1] === quote && chars[quoteAt + 2] === quote;
    const closing = triple ? quote.repeat(3) : quote;
    let k = quoteAt + closing.length;
    const body = [];
    while (true) {
      if (k >= chars.length) {
        throw new SyntaxFault(
          triple ? "unterminated triple-quoted string literal (detected at line 1)" : "unterminated string literal (detected at line 1)",
          prefixStart
        );
      }
      if (chars[k] === "\\") {
        body.push(chars[k], chars[k + 1] === undefined ? "" : chars[k + 1]);
        k += 2;
        continue;
      }
      if (chars.slice(k, k + closing.length).join("") === closing) break;
      body.push(chars[k]);
      k += 1;
    }
    const end = k + closing.length;
    const raw = prefix.includes("r");
    const bytes = prefix.includes("b");
    const fstring = prefix.includes("f");
    if (bytes && body.some((c) => c.codePointAt(0) >= 128)) {
      throw new SyntaxFault("bytes can only contain ASCII literal characters", prefixStart);
    }
    tokens.push({ type: "STRING", start: prefixStart, end, value: raw ? body.join("") : unescape(body, bytes), bytes, fstring });
    return end;
  }

  // The value of a string literal's body, its escapes read as Python reads them.
  function unescape(body, bytes) {
    let out = "";
    for (let k = 0; k < body.length; k++) {
      const c = body[k];
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = body[k + 1];
      k += 1;
      if (e in ESCAPES) out += ESCAPES[e];
      else if (e >= "0" && e <= "7") {
        let digits = e;
        while (digits.length < 3 && body[k + 1] >= "0" && body[k + 1] <= "7") digits += body[++k];
        out += String.fromCodePoint(parseInt(digits, 8) & (bytes ? 0xff : 0x1ff));
      } else if (e === "x" || (!bytes && (e === "u" || e === "U"))) {
        const size = e === "x" ? 2 : e === "u" ? 4 : 8;
        const hex = body.slice(k + 1, k + 1 + size).join("");
        if (!new RegExp(`^[0-9a-fA-F]{${size}}$`).test(hex)) throw new SyntaxFault("(unicode error) truncated escape", null);
        out += String.fromCodePoint(parseInt(hex, 16));
        k += size;
      } else if (e === "\n" || e === "") {
        // a line continuation, or a backslash at the end
      } else {
        out += "\\" + e;
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ the tree (Python's grammar)

  function Parser(tokens) {
    let p = 0;
    const peek = (k = 0) => tokens[p + k];
    const isOp = (op, k = 0) => peek(k).type === "OP" && peek(k).op === op;
    const isKeyword = (word, k = 0) => peek(k).type === "NAME" && peek(k).raw === word;
    const fail = (token = peek()) => {
      throw new SyntaxFault("invalid syntax", token.start);
    };
    const expectOp = (op) => {
      if (!isOp(op)) fail();
      return tokens[p++];
    };
    const node = (type, start, end, fields = {}) => Object.assign({ type, start, end }, fields);

    function expressions() {
      const first = expression();
      if (!isOp(",")) return first;
      const elts = [first];
      let end = first.end;
      while (isOp(",")) {
        end = tokens[p++].end;
        if (startsExpression()) {
          const e = expression();
          elts.push(e);
          end = e.end;
        } else break;
      }
      return node("Tuple", first.start, end, { elts });
    }

    function startsExpression(k = 0) {
      const t = peek(k);
      if (t.type === "NUMBER" || t.type === "STRING") return true;
      if (t.type === "NAME") {
        return !KEYWORDS.has(t.raw) || ["True", "False", "None", "not", "lambda", "await"].includes(t.raw);
      }
      return t.type === "OP" && ["(", "[", "{", "-", "+", "~", "..."].includes(t.op);
    }

    function expression() {
      if (isKeyword("lambda")) return lambdef();
      const start = peek().start;
      const body = disjunction();
      if (isKeyword("if")) {
        const ifToken = tokens[p++];
        const test = disjunction();
        if (!isKeyword("else")) throw new SyntaxFault("expected 'else' after 'if' expression", body.start);
        p += 1;
        const orelse = expression();
        void ifToken;
        return node("IfExp", start, orelse.end, { test, body, orelse });
      }
      return body;
    }

    function lambdef() {
      const start = tokens[p++].start;
      let sawDefault = false;
      let star = false;
      while (!isOp(":")) {
        if (isOp("**")) {
          p += 1;
          if (peek().type !== "NAME" || KEYWORDS.has(peek().raw)) fail();
          p += 1;
        } else if (isOp("*")) {
          p += 1;
          if (peek().type === "NAME" && !KEYWORDS.has(peek().raw)) p += 1;
          else if (isOp(":") || (isOp(",") && isOp(":", 1))) throw new SyntaxFault("named arguments must follow bare *", peek().start);
          star = true;
        } else if (isOp("/")) {
          p += 1;
        } else {
          if (peek().type !== "NAME" || KEYWORDS.has(peek().raw)) fail();
          p += 1;
          if (isOp("=")) {
            p += 1;
            expression();
            sawDefault = true;
          } else if (sawDefault && !star) {
            throw new SyntaxFault("non-default argument follows default argument", tokens[p - 1].start);
          }
        }
        if (isOp(",")) p += 1;
        else if (!isOp(":")) fail();
      }
      p += 1;
      const body = expression();
      return node("Lambda", start, body.end, { body });
    }

    function disjunction() {
      const start = peek().start;
      const first = conjunction();
      if (!isKeyword("or")) return first;
      const values = [first];
      while (isKeyword("or")) {
        p += 1;
        values.push(conjunction());
      }
      return node("BoolOp", start, values[values.length - 1].end, { values });
    }

    function conjunction() {
      const start = peek().start;
      const first = inversion();
      if (!isKeyword("and")) return first;
      const values = [first];
      while (isKeyword("and")) {
        p += 1;
        values.push(inversion());
      }
      return node("BoolOp", start, values[values.length - 1].end, { values });
    }

    function inversion() {
      if (isKeyword("not")) {
        const start = tokens[p++].start;
        const operand = inversion();
        return node("UnaryOp", start, operand.end, { op: "Not", operand });
      }
      return comparison();
    }

    function compareOperator() {
      const t = peek();
      if (t.type === "OP" && ["==", "!=", "<", "<=", ">", ">="].includes(t.op)) return 1;
      if (isKeyword("in")) return 1;
      if (isKeyword("not") && isKeyword("in", 1)) return 2;
      if (isKeyword("is")) return isKeyword("not", 1) ? 2 : 1;
      return 0;
    }

    function comparison() {
      const start = peek().start;
      const left = bitwise(0);
      if (!compareOperator()) return left;
      const comparators = [];
      let width;
      while ((width = compareOperator())) {
        p += width;
        comparators.push(bitwise(0));
      }
      return node("Compare", start, comparators[comparators.length - 1].end, { left, comparators });
    }

    const LEVELS = [["|"], ["^"], ["&"], ["<<", ">>"], ["+", "-"], ["*", "/", "//", "%", "@"]];

    function bitwise(level) {
      if (level === LEVELS.length) return factor();
      const start = peek().start;
      let left = bitwise(level + 1);
      while (peek().type === "OP" && LEVELS[level].includes(peek().op)) {
        const op = tokens[p++].op;
        const right = bitwise(level + 1);
        left = node("BinOp", start, right.end, { left, op: OPERATOR_NAMES[op], right });
      }
      return left;
    }

    function factor() {
      if (peek().type === "OP" && ["+", "-", "~"].includes(peek().op)) {
        const token = tokens[p++];
        const operand = factor();
        return node("UnaryOp", token.start, operand.end, { op: { "+": "UAdd", "-": "USub", "~": "Invert" }[token.op], operand });
      }
      return power();
    }

    function power() {
      const start = peek().start;
      const base = awaitPrimary();
      if (isOp("**")) {
        p += 1;
        const exponent = factor();
        return node("BinOp", start, exponent.end, { left: base, op: "Pow", right: exponent });
      }
      return base;
    }

    function awaitPrimary() {
      if (isKeyword("await")) {
        const start = tokens[p++].start;
        const value = primary();
        return node("Await", start, value.end, {});
      }
      return primary();
    }

    function primary() {
      const start = peek().start; // a call of (x + 1) starts at its bracket, as Python counts
      let value = atom();
      while (true) {
        if (isOp(".")) {
          p += 1;
          const name = peek();
          if (name.type !== "NAME" || KEYWORDS.has(name.raw)) fail(name);
          p += 1;
          value = node("Attribute", start, name.end, { value, attr: name.id });
        } else if (isOp("(")) {
          value = call(value, start);
        } else if (isOp("[")) {
          p += 1;
          slices();
          const close = expectOp("]");
          value = node("Subscript", start, close.end, { value });
        } else {
          return value;
        }
      }
    }

    function call(func, start) {
      const open = tokens[p++];
      const args = [];
      const keywords = [];
      let sawKeyword = false;
      let sawDoubleStar = false;
      while (!isOp(")")) {
        const t = peek();
        if (isOp("*")) {
          if (sawDoubleStar) throw new SyntaxFault("iterable argument unpacking follows keyword argument unpacking", t.start);
          p += 1;
          const value = expression();
          args.push(node("Starred", t.start, value.end, { value }));
        } else if (isOp("**")) {
          p += 1;
          const value = expression();
          keywords.push(node("keyword", t.start, value.end, { arg: null, value }));
          sawDoubleStar = true;
        } else if (t.type === "NAME" && isOp("=", 1)) {
          if (KEYWORDS.has(t.raw)) {
            if (["True", "False", "None"].includes(t.raw)) throw new SyntaxFault(`cannot assign to ${t.raw}`, t.start);
            fail();
          }
          p += 2;
          const value = expression();
          keywords.push(node("keyword", t.start, value.end, { arg: t.id, value }));
          sawKeyword = true;
        } else {
          const value = namedExpression();
          if (isOp("=")) throw new SyntaxFault('expression cannot contain assignment, perhaps you meant "=="?', value.start);
          if (isKeyword("for") || isKeyword("async")) {
            comprehensionClauses();
            if (args.length || keywords.length || !isOp(")")) {
              throw new SyntaxFault("Generator expression must be parenthesized", value.start);
            }
            args.push(node("GeneratorExp", open.start, peek().end, {}));
            break;
          }
          if (sawDoubleStar) throw new SyntaxFault("positional argument follows keyword argument unpacking", value.start);
          if (sawKeyword) throw new SyntaxFault("positional argument follows keyword argument", value.start);
          args.push(value);
        }
        if (isOp(",")) p += 1;
        else if (!isOp(")")) fail();
      }
      const close = expectOp(")");
      return node("Call", start, close.end, { func, args, keywords });
    }

    function slices() {
      sliceItem();
      while (isOp(",")) {
        p += 1;
        if (isOp("]")) break;
        sliceItem();
      }
    }

    function sliceItem() {
      {
        if (isOp("*")) {
          p += 1;
          bitwise(0);
        } else {
          if (!isOp(":")) namedExpression();
          if (isOp(":")) {
            p += 1;
            if (!isOp(":") && !isOp(",") && !isOp("]")) expression();
            if (isOp(":")) {
              p += 1;
              if (!isOp(",") && !isOp("]")) expression();
            }
          }
        }
      }
    }

    function namedExpression() {
      const t = peek();
      if (t.type === "NAME" && !KEYWORDS.has(t.raw) && isOp(":=", 1)) {
        p += 2;
        const value = expression();
        return node("NamedExpr", t.start, value.end, { value });
      }
      const value = expression();
      if (isOp(":=")) throw new SyntaxFault("cannot use assignment expressions here", value.start);
      return value;
    }

    function starNamed() {
      if (isOp("*")) {
        const start = tokens[p++].start;
        const value = bitwise(0);
        return node("Starred", start, value.end, { value });
      }
      return namedExpression();
    }

    // for targets in iterable (if condition)*, once or more
    function comprehensionClauses() {
      while (isKeyword("for") || (isKeyword("async") && isKeyword("for", 1))) {
        if (isKeyword("async")) p += 1;
        p += 1;
        targets();
        if (!isKeyword("in")) fail();
        p += 1;
        disjunction();
        while (isKeyword("if")) {
          p += 1;
          disjunction();
        }
      }
    }

    function targets() {
      do {
        if (isOp("in") || isKeyword("in")) break;
        const t = peek();
        const target = isOp("*") ? (p++, bitwise(0)) : bitwise(0);
        checkTarget(target, t);
      } while (isOp(",") && ++p);
    }

    function checkTarget(target, token) {
      if (["Name", "Attribute", "Subscript", "Starred"].includes(target.type)) return;
      if ((target.type === "Tuple" || target.type === "List") && target.elts) {
        target.elts.forEach((e) => checkTarget(e, token));
        return;
      }
      const what = target.type === "Constant" ? "literal" : "expression";
      throw new SyntaxFault(`cannot assign to ${what}`, target.start);
    }

    function atom() {
      const t = peek();
      if (t.type === "NUMBER") {
        p += 1;
        return node("Constant", t.start, t.end, { value: t.value });
      }
      if (t.type === "STRING") return strings();
      if (t.type === "NAME") {
        if (t.raw === "True" || t.raw === "False" || t.raw === "None") {
          p += 1;
          return node("Constant", t.start, t.end, { value: { kind: "constant", repr: t.raw } });
        }
        if (KEYWORDS.has(t.raw)) fail(t);
        p += 1;
        return node("Name", t.start, t.end, { id: t.id });
      }
      if (isOp("...")) {
        p += 1;
        return node("Constant", t.start, t.end, { value: { kind: "constant", repr: "Ellipsis" } });
      }
      if (isOp("(")) return parenthesized();
      if (isOp("[")) return bracketed("[", "]", "List", "ListComp");
      if (isOp("{")) return braced();
      fail(t);
    }

    function strings() {
      const first = peek();
      let value = "";
      let bytes = null;
      let fstring = false;
      let end = first.end;
      while (peek().type === "STRING") {
        const t = tokens[p++];
        if (bytes !== null && bytes !== t.bytes) throw new SyntaxFault("cannot mix bytes and nonbytes literals", first.start);
        bytes = t.bytes;
        fstring = fstring || t.fstring;
        value += t.value;
        end = t.end;
      }
      if (fstring) return node("JoinedStr", first.start, end, {});
      return node("Constant", first.start, end, { value: { kind: bytes ? "bytes" : "str", value } });
    }

    function parenthesized() {
      const open = tokens[p++];
      if (isOp(")")) {
        const close = tokens[p++];
        return node("Tuple", open.start, close.end, { elts: [] });
      }
      if (isKeyword("yield")) {
        const start = tokens[p++].start;
        let type = "Yield";
        if (isKeyword("from")) {
          p += 1;
          expression();
          type = "YieldFrom";
        } else if (!isOp(")")) {
          expressions();
        }
        const close = expectOp(")");
        void close;
        return node(type, start, tokens[p - 2].end, {});
      }
      const first = starNamed();
      if (isKeyword("for") || isKeyword("async")) {
        if (first.type === "Starred") fail();
        comprehensionClauses();
        const close = expectOp(")");
        return node("GeneratorExp", open.start, close.end, {});
      }
      if (isOp(",")) {
        const elts = [first];
        while (isOp(",")) {
          p += 1;
          if (isOp(")")) break;
          elts.push(starNamed());
        }
        const close = expectOp(")");
        return node("Tuple", open.start, close.end, { elts });
      }
      if (first.type === "Starred") throw new SyntaxFault("cannot use starred expression here", first.start);
      expectOp(")");
      return first; // a group is its inside, at its own columns
    }

    function bracketed(openOp, closeOp, type, comprehension) {
      const open = tokens[p++];
      if (isOp(closeOp)) {
        const close = tokens[p++];
        return node(type, open.start, close.end, { elts: [] });
      }
      const first = starNamed();
      if (isKeyword("for") || isKeyword("async")) {
        if (first.type === "Starred") fail();
        comprehensionClauses();
        const close = expectOp(closeOp);
        return node(comprehension, open.start, close.end, {});
      }
      const elts = [first];
      while (isOp(",")) {
        p += 1;
        if (isOp(closeOp)) break;
        elts.push(starNamed());
      }
      const close = expectOp(closeOp);
      return node(type, open.start, close.end, { elts });
    }

    function braced() {
      const open = tokens[p++];
      if (isOp("}")) {
        const close = tokens[p++];
        return node("Dict", open.start, close.end, {});
      }
      const entry = () => {
        if (isOp("**")) {
          p += 1;
          bitwise(0);
          return "dict";
        }
        if (isOp("*")) {
          p += 1;
          bitwise(0);
          return "set";
        }
        const key = namedExpression();
        if (isOp(":")) {
          if (key.type === "NamedExpr") fail();
          p += 1;
          expression();
          return "dict";
        }
        return "set";
      };
      const firstKind = isOp("*") ? "star" : isOp("**") ? "double" : "plain";
      const kind = entry();
      if ((isKeyword("for") || isKeyword("async")) && firstKind === "plain") {
        comprehensionClauses();
        const close = expectOp("}");
        return node(kind === "dict" ? "DictComp" : "SetComp", open.start, close.end, {});
      }
      while (isOp(",")) {
        p += 1;
        if (isOp("}")) break;
        if (entry() !== kind) fail();
      }
      const close = expectOp("}");
      return node(kind === "dict" ? "Dict" : "Set", open.start, close.end, {});
    }

    const tree = expressions();
    if (peek().type !== "END") fail();
    return tree;
  }

  // ------------------------------------------------------------------ the allow-list (expr.py's checks)

  function utf8Length(char) {
    const code = char.codePointAt(0);
    return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }

  // The 1-based column of the name `name` ending at code point `end`, as expr.py finds it: the
  // node's end in UTF-8 bytes less the name's bytes. A name written in other characters (NFKC:
  // a fullwidth ｘ is x) leaves that inside a character, which Python's decoding with
  // errors="replace" counts as one more character: so is it counted here.
  function nameColumn(text, end, name) {
    const chars = Array.from(text);
    let bytes = 0;
    for (let k = 0; k < end; k++) bytes += utf8Length(chars[k]);
    let offset = bytes - Array.from(name).reduce((sum, c) => sum + utf8Length(c), 0);
    let column = 1;
    for (let k = 0; offset > 0; k++) {
      offset -= utf8Length(chars[k]);
      column += 1;
    }
    return column;
  }

  function reprComplex(imag) {
    const text = E.reprFloat(imag);
    return (text.endsWith(".0") ? text.slice(0, -2) : text) + "j";
  }

  function reprBytes(value) {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    let out = "b" + quote;
    for (const c of value) {
      const code = c.codePointAt(0);
      if (c === quote || c === "\\") out += "\\" + c;
      else if (c === "\t") out += "\\t";
      else if (c === "\n") out += "\\n";
      else if (c === "\r") out += "\\r";
      else if (code < 32 || code >= 127) out += "\\x" + code.toString(16).padStart(2, "0");
      else out += c;
    }
    return out + quote;
  }

  function checkConstant(value, node, text) {
    if (value.kind === "int" || value.kind === "float") {
      if (!Number.isFinite(value.value)) throw new ExpressionError("a number too large for a float", text, node.start + 1);
      return;
    }
    let kind;
    let repr;
    if (value.kind === "str") [kind, repr] = ["string ", E.reprStr(value.value)];
    else if (value.kind === "bytes") [kind, repr] = ["bytes literal ", reprBytes(value.value)];
    else if (value.kind === "complex") [kind, repr] = ["complex number ", reprComplex(value.imag)];
    else [kind, repr] = ["constant ", value.repr];
    const chars = Array.from(repr);
    const shown = chars.length <= 40 ? repr : chars.slice(0, 37).join("") + "...";
    throw new ExpressionError(`the ${kind}${shown} is not allowed`, text, node.start + 1, "only real numbers are");
  }

  function checkCall(node, text) {
    const func = node.func;
    let name;
    let receiver;
    let form;
    if (func.type === "Name") [name, receiver, form] = [func.id, null, `${func.id}(...)`];
    else if (func.type === "Attribute") [name, receiver, form] = [func.attr, func.value, `.${func.attr}()`];
    else throw new ExpressionError("calling the result of an expression is not allowed", text, node.start + 1, CALL_HINT);
    if (!FUNCTIONS.includes(name)) {
      const kind = receiver === null ? "function" : "method";
      const where = receiver === null ? func.start + 1 : nameColumn(text, func.end, name);
      throw new ExpressionError(`the ${kind} ${form} is not allowed`, text, where, `the functions are ${FUNCTIONS.join(" ")}`);
    }
    for (const named of node.keywords) {
      const shown = named.arg !== null ? `${named.arg}=` : "**";
      throw new ExpressionError(`the keyword argument ${E.reprStr(shown)} in ${form} is not allowed`, text, named.start + 1, CALL_HINT);
    }
    for (const argument of node.args) {
      if (argument.type === "Starred") {
        throw new ExpressionError(`the starred argument in ${form} is not allowed`, text, argument.start + 1, CALL_HINT);
      }
    }
    const wanted = receiver === null ? 1 : 0;
    if (node.args.length !== wanted) {
      const usage = receiver === null ? `${name}(x)` : `x.${name}()`;
      const count = wanted ? "one argument" : "no arguments";
      throw new ExpressionError(`${form} takes ${count}, got ${node.args.length},`, text, node.start + 1, `write ${usage}`);
    }
    return receiver === null ? node.args.slice() : [receiver];
  }

  // expr._check_tree: refuse the first node, in reading order, that is not allowed; each
  // name's first column, in order of first use.
  function checkTree(tree, text) {
    const columns = new Map();
    const stack = [[tree, 1]];
    const refuse = (what, node, position = node.start, hint = "") => new ExpressionError(`${what} is not allowed`, text, position + 1, hint);
    while (stack.length) {
      const [node, depth] = stack.pop();
      if (depth > MAX_DEPTH) throw new ExpressionError(`nesting deeper than ${MAX_DEPTH} levels`, text, node.start + 1, DEPTH_HINT);
      let children = [];
      switch (node.type) {
        case "Constant":
          checkConstant(node.value, node, text);
          break;
        case "Name":
          if (FUNCTIONS.includes(node.id)) {
            throw refuse(`the function ${E.reprStr(node.id)} without a call`, node, node.start, `write ${node.id}(x) or x.${node.id}()`);
          }
          if (node.id.startsWith("__")) throw refuse(`the name ${E.reprStr(node.id)}`, node, node.start, "names starting with '__' are refused");
          if (!columns.has(node.id)) columns.set(node.id, node.start + 1);
          break;
        case "BinOp":
          if (!(node.op in BINARY)) {
            const symbol = REFUSED_OPERATORS[node.op];
            throw refuse(`the operator ${E.reprStr(symbol)}`, node, operatorPosition(node, text, symbol), OPERATORS_HINT);
          }
          children = [node.left, node.right];
          break;
        case "UnaryOp":
          if (node.op !== "USub" && node.op !== "UAdd") throw refuse(`the operator ${E.reprStr(REFUSED_OPERATORS[node.op])}`, node, node.start, OPERATORS_HINT);
          children = [node.operand];
          break;
        case "Call":
          children = checkCall(node, text);
          break;
        case "Attribute":
          throw new ExpressionError(
            `the attribute '.${node.attr}' is not allowed`,
            text,
            nameColumn(text, node.end, node.attr),
            "only a method call like x.tanh() may follow a dot"
          );
        default:
          throw refuse(REFUSED_SYNTAX[node.type] || node.type, node);
      }
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i];
        stack.push([child, node.type === "BinOp" && child.type === "BinOp" ? depth : depth + 1]);
      }
    }
    return columns;
  }

  // The position of a binary operator's symbol: its first occurrence after the left operand.
  function operatorPosition(node, text, symbol) {
    const chars = Array.from(text);
    for (let k = node.left.end; k + symbol.length <= chars.length; k++) {
      if (chars.slice(k, k + symbol.length).join("") === symbol) return k;
    }
    return node.start;
  }

  function inputs(node) {
    switch (node.type) {
      case "BinOp":
        return [node.left, node.right];
      case "UnaryOp":
        return [node.operand];
      case "Call":
        return node.func.type === "Attribute" ? [node.func.value] : node.args.slice();
      default:
        return [];
    }
  }

  function opName(node) {
    switch (node.type) {
      case "BinOp":
        return BINARY[node.op];
      case "UnaryOp":
        return node.op === "USub" ? "neg" : null;
      case "Call":
        return node.func.type === "Attribute" ? node.func.attr : node.func.id;
    }
    throw new Error(`not an operation: ${node.type}`);
  }

  // expr._inputs_first: every node of an accepted tree, each after its operands, left to right.
  function inputsFirst(tree) {
    const order = [];
    const stack = [[tree, false]];
    while (stack.length) {
      const [node, done] = stack.pop();
      if (done) {
        order.push(node);
      } else {
        stack.push([node, true]);
        const operands = inputs(node);
        for (let i = operands.length - 1; i >= 0; i--) stack.push([operands[i], false]);
      }
    }
    return order;
  }

  function numberOf(value) {
    return value.value;
  }

  // expr._check_exponents: a power whose exponent is made of numbers alone must lie within
  // ±MAX_EXPONENT; numbers are folded with the engine's own ops.
  function checkExponents(tree, text) {
    const folded = new Map();
    for (const node of inputsFirst(tree)) {
      const values = inputs(node).map((child) => folded.get(child));
      if (node.type === "Constant") {
        folded.set(node, numberOf(node.value));
      } else if (node.type === "BinOp" && node.op === "Pow" && values[1] !== null && Math.abs(values[1]) > MAX_EXPONENT) {
        throw new ExpressionError(
          `the exponent ${E.formatG(values[1], 6)} is too large`,
          text,
          node.right.start + 1,
          `an exponent made of numbers alone must lie within ±${MAX_EXPONENT}`
        );
      } else if (node.type === "Name" || values.includes(null)) {
        folded.set(node, null);
      } else {
        folded.set(node, fold(opName(node), values));
      }
    }
  }

  function fold(name, values) {
    if (name === null) return values[0];
    try {
      return E.apply(name, ...values).data;
    } catch (error) {
      if (error instanceof E.OperationError) return null;
      throw error;
    }
  }

  // ------------------------------------------------------------------ Expression

  class Expression {
    constructor(text, tree, columns) {
      this.text = text;
      this.tree = tree;
      this.columns = columns;
    }

    // The variables, in order of first appearance.
    get names() {
      return Array.from(this.columns.keys());
    }

    // Throws an ExpressionError unless `values` (an object, name -> number) names every
    // variable and nothing else.
    check(values) {
      const given = Object.keys(values);
      const missing = this.names.filter((name) => !given.includes(name));
      if (missing.length) {
        const listed = missing.map(E.reprStr).join(" and ");
        const them = missing.length > 1 ? "them values" : "it a value";
        throw new ExpressionError(`undefined name${missing.length > 1 ? "s" : ""} ${listed}`, this.text, this.columns.get(missing[0]), `give ${them}`);
      }
      const unused = given.filter((name) => !this.columns.has(name));
      if (unused.length) {
        const listed = unused.map(E.reprStr).join(" and ");
        const uses = this.names.join(", ") || "no names";
        throw new ExpressionError(`unused ${unused.length > 1 ? "names" : "name"} ${listed}: a value is given, but the expression uses ${uses}`);
      }
    }

    // {result, leaves}: the result as a Value with its graph, and each variable's leaf (labelled
    // by its name). An op that fails throws the engine's OperationError.
    evaluate(values) {
      this.check(values);
      const leaves = {};
      for (const name of this.names) {
        const number = values[name];
        if (typeof number !== "number" || !Number.isFinite(number)) {
          throw new ExpressionError(`the value of ${E.reprStr(name)} must be a finite number, not ${String(number)}`);
        }
        leaves[name] = new E.Value(number, name);
      }
      const results = new Map();
      for (const node of inputsFirst(this.tree)) {
        if (node.type === "Constant") results.set(node, numberOf(node.value));
        else if (node.type === "Name") results.set(node, leaves[node.id]);
        else if (node.type === "UnaryOp" && node.op === "UAdd") results.set(node, results.get(node.operand));
        else results.set(node, E.apply(opName(node), ...inputs(node).map((child) => results.get(child))));
      }
      let result = results.get(this.tree);
      if (!(result instanceof E.Value)) result = new E.Value(result, "", false);
      return { result, leaves };
    }
  }

  // expr.parse: `text` as an Expression, or an ExpressionError naming what is refused and where.
  function parse(text) {
    if (typeof text !== "string") throw new TypeError(`parse expects the expression as a string, got ${typeof text}`);
    const chars = Array.from(text);
    checkCharacters(chars, text);
    let tree;
    try {
      tree = Parser(tokenize(chars));
    } catch (fault) {
      if (!(fault instanceof SyntaxFault)) throw fault;
      const column = fault.position === null ? null : fault.position + 1;
      throw new ExpressionError(`syntax error (${fault.message})`, text, column);
    }
    const columns = checkTree(tree, text);
    checkExponents(tree, text);
    return new Expression(text, tree, columns);
  }

  E.expr = { parse, Expression, ExpressionError, MAX_LENGTH, MAX_DEPTH, MAX_EXPONENT, FUNCTIONS, ALLOWED };
})(typeof globalThis !== "undefined" ? globalThis : this);
