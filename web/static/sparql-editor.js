/* SPARQL syntax highlighting for a plain <textarea>: a highlighted copy of the text sits
 * exactly behind the (transparent) textarea and follows its scrolling.
 *
 * Why our own: no Python package ships a SPARQL mode for CodeMirror or a YASQE build, and the
 * app loads third-party code only from installed Python packages (kg.render.assets), never
 * from a CDN or an npm build. The textarea stays the editor, so undo, selection, IME input,
 * spell-check off and accessibility are the browser's own; this file only colours tokens
 * (the token classes of kg.sparql_text, plus keywords, functions and numbers) and marks the
 * place of a syntax error. Exposes window.SparqlEditor.
 */
(function () {
  "use strict";

  var KEYWORDS = (
    "BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT DESCRIBE ASK FROM NAMED WHERE ORDER BY " +
    "ASC DESC LIMIT OFFSET VALUES OPTIONAL GRAPH UNION MINUS FILTER BIND SERVICE SILENT " +
    "GROUP HAVING UNDEF NOT IN EXISTS A TRUE FALSE SEPARATOR INSERT DELETE DATA WITH USING " +
    "DEFAULT ALL LOAD CLEAR DROP CREATE ADD MOVE COPY TO INTO LATERAL"
  ).split(" ");
  var FUNCTIONS = (
    "STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT " +
    "STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR " +
    "MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 " +
    "SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC " +
    "REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT"
  ).split(" ");
  var keywords = new Set(KEYWORDS);
  var functions = new Set(FUNCTIONS);

  // One alternative per token class; the order matters as in kg/sparql_text.py.
  var TOKEN = new RegExp(
    [
      "(#[^\\n]*)",
      '("""[\\s\\S]*?(?:"""|$)|\'\'\'[\\s\\S]*?(?:\'\'\'|$)|"(?:[^"\\\\\\n]|\\\\.)*"?|\'(?:[^\'\\\\\\n]|\\\\.)*\'?)',
      "(<[^<>\"{}|^`\\\\\\s]*>)",
      "([?$][A-Za-z0-9_\\u00b7-\\uffff]+)",
      "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
      "((?:\\d+\\.\\d*|\\.\\d+|\\d+)(?:[eE][+-]?\\d+)?)",
      "([A-Za-z_\\u00c0-\\uffff][\\w.\\u00c0-\\uffff-]*(?::[\\w.\\u00c0-\\uffff%-]*)?|:[\\w.-]*)",
      "([{}()\\[\\].;,*=<>!|&^/+-])",
    ].join("|"),
    "g"
  );
  var CLASSES = [null, "comment", "string", "iri", "var", "lang", "number", "word", "punct"];

  /** Split text into [{cls, text, start}], covering every character (cls null for spaces). */
  function tokenize(text) {
    var out = [];
    var last = 0;
    var match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text)) !== null) {
      if (match[0] === "") {
        TOKEN.lastIndex++;
        continue;
      }
      if (match.index > last) out.push({ cls: null, text: text.slice(last, match.index), start: last });
      var group = 1;
      while (match[group] === undefined) group++;
      var cls = CLASSES[group];
      if (cls === "word") {
        var upper = match[0].toUpperCase();
        var next = text.slice(TOKEN.lastIndex).match(/^\s*\(/);
        if (match[0].indexOf(":") >= 0) cls = "pname";
        else if (functions.has(upper) && next) cls = "function";
        else if (keywords.has(upper)) cls = "keyword";
        else cls = null;
      }
      out.push({ cls: cls, text: match[0], start: match.index });
      last = TOKEN.lastIndex;
    }
    if (last < text.length) out.push({ cls: null, text: text.slice(last), start: last });
    return out;
  }

  function escape(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function span(cls, text) {
    return cls ? '<span class="tok-' + cls + '">' + escape(text) + "</span>" : escape(text);
  }

  /** The offset of a 1-based line and column in text (clamped to the text). */
  function offsetOf(text, line, column) {
    var offset = 0;
    for (var i = 1; i < line; i++) {
      var newline = text.indexOf("\n", offset);
      if (newline < 0) return text.length;
      offset = newline + 1;
    }
    return Math.min(offset + Math.max(column - 1, 0), text.length);
  }

  function render(text, errorAt) {
    var html = "";
    var marked = errorAt === null;
    tokenize(text).forEach(function (token) {
      var end = token.start + token.text.length;
      if (!marked && errorAt >= token.start && errorAt < end) {
        var at = errorAt - token.start;
        var ch = token.text.charAt(at);
        html += span(token.cls, token.text.slice(0, at));
        html += '<span class="error-mark">' + (ch === "\n" ? " " : escape(ch)) + "</span>";
        html += ch === "\n" ? "\n" : "";
        html += span(token.cls, token.text.slice(at + 1));
        marked = true;
      } else {
        html += span(token.cls, token.text);
      }
    });
    if (!marked) html += '<span class="error-mark"> </span>';
    // A trailing newline needs a character after it, or the copy is one line short.
    return html + "\n ";
  }

  /** Attach highlighting to a textarea; returns {refresh, setError, clearError, getValue, setValue}. */
  function attach(textarea, code) {
    var errorAt = null;
    var pre = code.parentNode;

    function refresh() {
      code.innerHTML = render(textarea.value, errorAt);
      sync();
    }

    function sync() {
      pre.scrollTop = textarea.scrollTop;
      pre.scrollLeft = textarea.scrollLeft;
    }

    textarea.addEventListener("input", function () {
      errorAt = null;
      refresh();
    });
    textarea.addEventListener("scroll", sync);
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        var start = textarea.selectionStart;
        textarea.setRangeText("  ", start, textarea.selectionEnd, "end");
        textarea.dispatchEvent(new Event("input"));
      }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        textarea.form.requestSubmit();
      }
    });
    refresh();
    return {
      refresh: refresh,
      getValue: function () {
        return textarea.value;
      },
      setValue: function (text) {
        textarea.value = text;
        errorAt = null;
        refresh();
      },
      setError: function (line, column) {
        errorAt = offsetOf(textarea.value, line, column);
        refresh();
      },
      clearError: function () {
        errorAt = null;
        refresh();
      },
    };
  }

  window.SparqlEditor = { attach: attach, tokenize: tokenize, offsetOf: offsetOf };
})();
