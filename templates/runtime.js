// ---------------------------------------------------------------------------
// Enforcement helpers. This part is the same in every build; the contract's
// rules follow below it. Nothing here throws on a malformed payload: a bad
// value becomes a violation and the original value stays.
// ---------------------------------------------------------------------------

function hasOwn(object, key) {
  return Object.prototype.hasOwnProperty.call(object, key);
}

// object[key] when it is the object's own: a key named like an inherited member
// (`toString`) reads undefined, never the member.
function own(object, key) {
  return isPlainObject(object) && hasOwn(object, key) ? object[key] : undefined;
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// `Order Completed`, `order_completed`, `order-completed`, `orderCompleted` → `order completed`.
// Mirrors generator/contract/names.py, which checks the contract for collisions.
function variantKey(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[\s_.\-]+/g, ' ').trim().toLowerCase();
}

// -- Reports: what enforcement found and changed on one event ---------------

// At most this many violations and repairs are listed per event, so a payload with a
// million bad array elements cannot grow one event past the isolate's memory.
const REPORT_LIMIT = 50;

function newReport() {
  return { violations: [], labels: [], repairs: [], unlisted: 0 };
}

// RudderStack's violation taxonomy (rudder-transformer src/util/eventValidation.js).
const VIOLATION_TYPES = {
  required: 'Required-Missing',
  type: 'Datatype-Mismatch',
  additionalProperties: 'Additional-Properties',
};

function pointer(path) {
  return path.map((part) => '/' + String(part).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function schemaPath(path, keyword) {
  let out = '#';
  for (const part of path) out += typeof part === 'number' ? '/items' : '/properties/' + part;
  return out + '/' + keyword;
}

function dotted(path) {
  return path.join('.');
}

// `path` is where the offending value lives, e.g. ['properties', 'products', 0, 'price'].
function addViolation(report, keyword, message, path, property) {
  if (report.violations.length >= REPORT_LIMIT) {
    report.unlisted += 1;
    return;
  }
  const entry = { type: VIOLATION_TYPES[keyword] || 'Advance-Rules-Violation', message: message };
  if (property !== undefined) entry.property = property;
  entry.meta = { instancePath: pointer(path), schemaPath: schemaPath(path, keyword) };
  report.violations.push(entry);
  // Customer.io's flat field names the property relative to properties/traits.
  const where = (path[0] === 'properties' || path[0] === 'traits' ? path.slice(1) : path)
    .concat(property === undefined ? [] : [property]);
  report.labels.push(entry.type + (where.length ? ':' + dotted(where) : ''));
}

function addRepair(report, path, from, to, rule) {
  if (report.repairs.length >= REPORT_LIMIT) return;
  report.repairs.push({ property: dotted(path), from: from, to: to, rule: rule });
}

// -- Coercion: repair a value when its meaning is certain, never invent one --

const MONEY = /^(-)?\s*(?:[$€£¥₹]\s*)?(-)?(\d{1,3}(?:,\d{3})+|\d+)?(\.\d+)?\s*(?:[$€£¥₹])?$/;
const LEADING_CODE = /^([A-Za-z]{3})\s*(?=[-\d.$€£¥₹])/;
const TRAILING_CODE = /[A-Za-z]{3}$/;
// No amount is written in more characters than this; longer text is not parsed at all.
const AMOUNT_LENGTH = 64;

// "$49.00", "1,299.50", " 49 ", "USD 12.50", "12.50 EUR" → a number; anything else → undefined.
function parseAmount(text) {
  let rest = text.trim();
  if (rest.length > AMOUNT_LENGTH) return undefined;
  if (LEADING_CODE.test(rest)) rest = rest.replace(LEADING_CODE, '');
  else if (TRAILING_CODE.test(rest)) rest = rest.slice(0, -3).trim();
  const match = MONEY.exec(rest);
  if (!match || (match[3] === undefined && match[4] === undefined) || (match[1] && match[2])) return undefined;
  const digits = (match[3] || '0').replace(/,/g, '') + (match[4] || '');
  const value = Number(digits);
  if (!Number.isFinite(value)) return undefined;
  return match[1] || match[2] ? -value : value;
}

// Text as SDKs send it: zero-width and bidirectional marks, soft hyphens, the byte-order
// mark and control characters are invisible (an email with U+200B inside is another
// address); no-break spaces look like spaces. Tabs and line breaks stay in strings.
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
const NO_BREAK_SPACES = /[\u00A0\u2007\u202F]/g;

function cleanText(text) {
  return text.replace(INVISIBLE, '').replace(NO_BREAK_SPACES, ' ');
}

// Ids, emails and codes: no invisible characters, no no-break spaces, nothing around them.
function cleanId(text) {
  return text.replace(INVISIBLE, '').replace(NO_BREAK_SPACES, '').trim();
}

// Strings that mean "no value": a blank-like string counts as missing wherever the
// contract asks for a value (required, dedupe keys, require_any_of), and leaves a
// declared property or trait.
const BLANK_WORDS = { '': true, null: true, undefined: true, nan: true };

function isBlankLike(value) {
  return typeof value === 'string' && value.length <= 64 && hasOwn(BLANK_WORDS, cleanText(value).trim().toLowerCase());
}

const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const TIMESTAMP_LENGTH = 64;

// ISO 8601 text → epoch milliseconds, or undefined. A time without an offset is
// UTC, as on RudderStack's servers.
function parseIsoTimestamp(text) {
  if (text.length > TIMESTAMP_LENGTH) return undefined;
  const m = ISO_TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] || 0), Number(m[5] || 0), Number(m[6] || 0)];
  const millis = m[7] ? Math.floor(Number('0.' + m[7]) * 1000) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  if (m[8] && m[8].toUpperCase() !== 'Z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    const digits = m[8].slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = Number(digits.slice(2) || 0);
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    offset = sign * (offsetHours * 60 + offsetMinutes);
  }
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return undefined;
  return date.getTime() - offset * 60000;
}

// Unix time: seconds below 1e11 (before year 5138), milliseconds above.
function epochMillis(number) {
  return Math.abs(number) < 1e11 ? number * 1000 : number;
}

// Timestamps gen accepts: years 0001 to 9999, which ISO 8601 writes in four digits.
const EARLIEST = -62135596800000;
const LATEST = 253402300799999;

function toIso(millis) {
  if (!Number.isFinite(millis) || millis < EARLIEST || millis > LATEST) return undefined;
  return new Date(Math.round(millis)).toISOString();
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// RFC 5321: an address is at most 254 characters; checking the length first also bounds
// the pattern's backtracking.
const EMAIL_LENGTH = 254;

function looksLikeEmail(text) {
  return text.length <= EMAIL_LENGTH && EMAIL.test(text);
}

function typeError(kind) {
  return { keyword: 'type', message: 'must be ' + kind };
}

// One value against one rule: { value } when it is (or was repaired into) a
// valid value, or { keyword, message } when it is a violation.
// A rule's own onInvalid, normalize or region, else the contract's (RULE_DEFAULTS).
function setting(rule, key) {
  return hasOwn(rule, key) ? rule[key] : RULE_DEFAULTS[key];
}

function coerce(rule, value) {
  switch (rule.type) {
    case 'string': {
      let text;
      if (typeof value === 'string') text = cleanText(value).trim();
      else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
      else return typeError('string');
      return { value: setting(rule, 'normalize') === 'nfc' ? text.normalize('NFC') : text };
    }
    case 'number':
    case 'integer': {
      let number = value;
      if (typeof value === 'string') number = parseAmount(cleanText(value));
      if (typeof number !== 'number' || !Number.isFinite(number)) return typeError(rule.type);
      if (rule.type === 'integer' && !Number.isInteger(number)) return typeError('integer');
      return { value: rule.decimals === undefined ? number : roundTo(number, rule.decimals) };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { value: value };
      const word = typeof value === 'string' ? cleanText(value).trim().toLowerCase() : typeof value === 'number' ? String(value) : null;
      if (word !== null && hasOwn(BOOLEAN_WORDS, word)) return { value: BOOLEAN_WORDS[word] };
      return typeError('boolean');
    }
    case 'timestamp': {
      let millis;
      if (typeof value === 'number') millis = epochMillis(value);
      else if (typeof value === 'string' && value.length <= TIMESTAMP_LENGTH && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) millis = epochMillis(Number(value));
      else if (typeof value === 'string') millis = parseIsoTimestamp(value);
      const iso = millis === undefined ? undefined : toIso(millis);
      if (iso === undefined) return { keyword: 'format', message: 'must match format "date-time"' };
      if (rule.output !== 'unix_seconds') return { value: iso };
      // Customer.io compares date attributes as unix seconds. Seconds from 1e11 on would
      // read back as milliseconds, so those dates (after 5138) are not accepted here.
      const seconds = Math.floor(Date.parse(iso) / 1000);
      if (Math.abs(seconds) >= 1e11) return { keyword: 'format', message: 'must match format "date-time"' };
      return { value: seconds };
    }
    case 'email': {
      if (typeof value !== 'string') return typeError('string');
      const email = cleanId(value).toLowerCase().normalize('NFC');
      return looksLikeEmail(email) ? { value: email } : { keyword: 'format', message: 'must match format "email"' };
    }
    case 'currency': {
      if (typeof value !== 'string') return typeError('string');
      const code = cleanId(value).toUpperCase();
      return /^[A-Z]{3}$/.test(code) ? { value: code } : { keyword: 'pattern', message: 'must match pattern "^[A-Z]{3}$"' };
    }
    case 'enum': {
      if (typeof value !== 'string' && typeof value !== 'number') return typeError('string');
      const key = cleanText(String(value)).trim().toLowerCase();
      if (hasOwn(rule.lookup, key)) return { value: rule.lookup[key] };
      return { keyword: 'enum', message: 'must be equal to one of the allowed values' };
    }
    case 'phone': {
      const phone = firstPhone(value, setting(rule, 'region'));
      return phone === undefined ? { keyword: 'format', message: 'must match format "phone"' } : { value: phone };
    }
    case 'timezone': {
      const zone = typeof value === 'string' && value.length <= 64 ? TIMEZONES.get(cleanId(value).toLowerCase()) : undefined;
      return zone === undefined ? { keyword: 'format', message: 'must match format "timezone"' } : { value: zone };
    }
    case 'object':
      return isPlainObject(value) ? { value: value } : typeError('object');
    case 'array':
      return Array.isArray(value) ? { value: value } : typeError('array');
    default:
      return { value: value };
  }
}

// A pattern whose backtracking grows faster than the value (the contract build says
// which) only runs on values up to `limit` characters: longer ones are violations, so one
// value cannot spend a request's time budget.
function patternProblem(source, limit, value) {
  if (limit !== undefined && value.length > limit) {
    return { keyword: 'maxLength', message: 'must NOT have more than ' + limit + ' characters' };
  }
  if (!patternOf(source).test(value)) return { keyword: 'pattern', message: 'must match pattern "' + source + '"' };
  return null;
}

// Compiled once per pattern, not once per value.
const PATTERNS = new Map();
function patternOf(source) {
  let pattern = PATTERNS.get(source);
  if (pattern === undefined) {
    pattern = new RegExp(source);
    PATTERNS.set(source, pattern);
  }
  return pattern;
}

function withinRules(rule, value) {
  if (rule.pattern !== undefined) {
    const broken = patternProblem(rule.pattern, rule.patternLimit, value);
    if (broken) return broken;
  }
  if (rule.minimum !== undefined && value < rule.minimum) return { keyword: 'minimum', message: 'must be >= ' + rule.minimum };
  if (rule.maximum !== undefined && value > rule.maximum) return { keyword: 'maximum', message: 'must be <= ' + rule.maximum };
  return null;
}

function isBlank(value) {
  return value === undefined || value === null || isBlankLike(value);
}

// Rounds to `decimals` places, so float artifacts (32.00000000000007) never reach Customer.io.
// Written through the exponent so binary fractions round as their decimal reading says.
function roundTo(value, decimals) {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e15) return value;
  const text = String(magnitude);
  const rounded = text.indexOf('e') >= 0
    ? Math.round(magnitude * Math.pow(10, decimals)) / Math.pow(10, decimals)
    : Number(Math.round(Number(text + 'e' + decimals)) + 'e-' + decimals);
  return value < 0 && rounded !== 0 ? -rounded : rounded;
}

function copyJson(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

// -- Checking properties ------------------------------------------------------

// container[key] against rule; `path` is where container lives. `optional` skips the
// required check, for a second copy of the same data (identify's context.traits).
function checkProperty(container, key, rule, path, report, optional) {
  const here = path.concat([key]);
  const present = hasOwn(container, key);
  const value = present ? container[key] : undefined;
  if (!isBlank(value)) {
    checkValue(container, key, rule, here, report);
    // A value removed as invalid leaves the property missing, as a second run would see it.
    if (hasOwn(container, key)) return;
  } else if (present && isBlankLike(value)) {
    // A blank-like string is no value: it leaves, so Customer.io never counts it as one.
    delete container[key];
    addRepair(report, here, value, null, 'blank');
  }
  if (rule.required && !optional) {
    addViolation(report, 'required', "must have required property '" + key + "'", path, key);
  } else if (!hasOwn(container, key) && rule.default !== undefined) {
    container[key] = copyJson(rule.default);
    addRepair(report, here, null, rule.default, 'default');
  }
}

// Settles, ahead of checkProperty, a value that checking would leave blank or take away
// (on_invalid: remove), so that what is derived in its place is what a second run derives.
function settleValue(container, key, rule, path, report) {
  if (isBlank(own(container, key))) return;
  const probe = { value: copyJson(container[key]) };
  checkValue(probe, 'value', rule, path, newReport());
  if (isBlank(own(probe, 'value'))) checkValue(container, key, rule, path.concat([key]), report);
}

// A value that cannot be repaired stays, flagged; with on_invalid: remove it also leaves
// its object (an array keeps its elements in place), the original kept in the repair.
function rejectValue(container, key, rule, path, report, keyword, message) {
  addViolation(report, keyword, message, path);
  if (setting(rule, 'onInvalid') === 'remove' && !Array.isArray(container)) {
    addRepair(report, path, container[key], null, 'invalid');
    delete container[key];
  }
}

function checkValue(container, key, rule, path, report) {
  const original = container[key];
  const result = coerce(rule, original);
  if (result.keyword !== undefined) {
    rejectValue(container, key, rule, path, report, result.keyword, result.message);
    return;
  }
  const broken = withinRules(rule, result.value);
  if (broken) {
    if (result.value !== original) container[key] = result.value;
    rejectValue(container, key, rule, path, report, broken.keyword, broken.message);
    return;
  }
  if (result.value !== original) {
    container[key] = result.value;
    addRepair(report, path, original, result.value, rule.type);
  }
  if (rule.type === 'object' && rule.properties !== undefined) {
    checkObject(result.value, rule, path, report);
  } else if (rule.type === 'array') {
    const items = resolveShape(rule.items);
    for (let index = 0; index < result.value.length; index += 1) {
      if (isBlank(result.value[index])) {
        addViolation(report, 'type', 'must be ' + items.type, path.concat([index]));
      } else {
        checkValue(result.value, index, items, path.concat([index]), report);
      }
    }
  }
}

function checkObject(object, rule, path, report) {
  if (rule.aliases !== undefined) renameAliases(object, rule.aliases, path, report, 'alias');
  for (const key of Object.keys(rule.properties)) {
    checkProperty(object, key, rule.properties[key], path, report);
  }
  undeclared(object, rule.properties, rule.undeclared || 'keep', path, report, null);
}

// `subscriptionId` → `subscription_id`: a name the contract knows under another spelling
// takes its own name; when both are sent, the contract's name wins and the alias leaves.
// Renamed in the order they were sent, so the properties keep their relative order.
function renameAliases(object, aliases, path, report, rule) {
  for (const alias of Object.keys(object)) {
    if (!hasOwn(aliases, alias)) continue;
    const name = aliases[alias];
    const value = object[alias];
    delete object[alias];
    if (hasOwn(object, name) && !isBlank(object[name])) {
      addRepair(report, path.concat([alias]), value, null, rule + '-duplicate');
    } else {
      object[name] = value;
      addRepair(report, path.concat([alias]), alias, name, rule);
    }
  }
}

// Properties the contract does not declare: keep, flag or drop them.
function undeclared(object, declared, policy, path, report, flagField) {
  if (policy === 'keep') return;
  for (const key of Object.keys(object)) {
    if (hasOwn(declared, key) || key === flagField) continue;
    if (policy === 'flag') {
      addViolation(report, 'additionalProperties', 'must NOT have additional properties', path, key);
    } else {
      addRepair(report, path.concat([key]), object[key], null, 'undeclared');
      delete object[key];
    }
  }
}

// At least one property of each group must be present ("SKU or product_id").
function requireAnyOf(object, group, path, report) {
  for (const key of group) {
    if (hasOwn(object, key) && !isBlank(object[key])) return;
  }
  addViolation(report, 'required', 'must have at least one of ' + group.map((k) => "'" + k + "'").join(', '), path, group.join('|'));
}

// -- Identity -----------------------------------------------------------------

// An id as the text Customer.io's destination puts in the URL: strings as they are, numbers
// and booleans written out; anything else (an object, a list) has no such text.
function idText(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

function isEmail(value) {
  return typeof value === 'string' && looksLikeEmail(cleanId(value).toLowerCase());
}

// The traits objects an event carries: identify sends both `traits` and `context.traits`.
function traitObjects(event) {
  const found = [];
  if (isPlainObject(event.traits)) found.push([['traits'], event.traits]);
  if (isPlainObject(event.context) && isPlainObject(event.context.traits)) found.push([['context', 'traits'], event.context.traits]);
  return found;
}

function emailOf(event) {
  for (const [, traits] of traitObjects(event)) {
    if (!isBlank(own(traits, 'email'))) return traits.email;
  }
  return undefined;
}

// Email is a trait, compared as Customer.io compares it: trimmed and lower-cased.
function normalizeEmails(event, report) {
  for (const [path, traits] of traitObjects(event)) {
    if (hasOwn(traits, 'email') && !isBlank(traits.email)) checkValue(traits, 'email', { type: 'email' }, path.concat(['email']), report);
  }
}

// -- Keys Customer.io refuses -------------------------------------------------

// RudderStack's Customer.io destination answers HTTP 500 `Cannot set unsafe key` for an
// event carrying one of these keys anywhere, and the event never arrives. SDKs forward
// them (a Shopify body, a product's `constructor` field).
const UNSAFE_KEYS = ['__proto__', 'constructor', 'prototype'];

function summarize(value) {
  if (Array.isArray(value)) return '[array]';
  return isPlainObject(value) ? '[object]' : value;
}

// Removes unsafe keys at any depth, without recursion (events can nest thousands of
// levels); each entry remembers its parent, so a path is only built when it is needed.
function removeUnsafeKeys(event, report) {
  const pending = [{ value: event, parent: null, key: null }];
  while (pending.length > 0) {
    const entry = pending.pop();
    const value = entry.value;
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index -= 1) {
        const child = value[index];
        if (child !== null && typeof child === 'object') pending.push({ value: child, parent: entry, key: index });
      }
      continue;
    }
    for (const key of UNSAFE_KEYS) {
      if (!hasOwn(value, key)) continue;
      const removed = value[key];
      delete value[key];
      const path = pathOf(entry);
      addViolation(report, 'unsafeKey', "must NOT have property '" + key + "' (Customer.io refuses it)", path, key);
      addRepair(report, path.concat([key]), summarize(removed), null, 'unsafe-key');
    }
    const keys = Object.keys(value);
    for (let index = keys.length - 1; index >= 0; index -= 1) {
      const child = value[keys[index]];
      if (child !== null && typeof child === 'object') pending.push({ value: child, parent: entry, key: keys[index] });
    }
  }
}

function pathOf(entry) {
  const path = [];
  for (let at = entry; at.parent !== null; at = at.parent) path.push(at.key);
  return path.reverse();
}

// -- Dedupe ids ---------------------------------------------------------------

// FNV-1a, 64 bits, over UTF-16 code units; computed in two 32-bit halves.
function fnv1a64(text) {
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  for (let i = 0; i < text.length; i += 1) {
    low = (low ^ text.charCodeAt(i)) >>> 0;
    // multiply by the 64-bit FNV prime 0x100000001b3 = 2^40 + 0x1b3
    const lowTimes = low * 0x1b3;
    const carry = Math.floor(lowTimes / 0x100000000);
    const newLow = lowTimes >>> 0;
    const newHigh = (Math.imul(high, 0x1b3) + carry + ((low << 8) >>> 0)) >>> 0;
    high = newHigh;
    low = newLow;
  }
  return (high >>> 0).toString(16).padStart(8, '0') + (low >>> 0).toString(16).padStart(8, '0');
}

// The same action gets the same id from any source, on any retry: it depends only
// on the canonical event name and the key values (after repair), never on time or messageId.
function dedupeId(eventName, values) {
  return 'evt_' + fnv1a64(JSON.stringify([eventName].concat(values)));
}

// -- Replay guard -------------------------------------------------------------

function millisOf(value) {
  if (typeof value === 'number') return epochMillis(value);
  if (typeof value === 'string') return parseIsoTimestamp(value);
  return undefined;
}

function readPath(object, path) {
  let current = object;
  for (const part of path) {
    if (!isPlainObject(current) || !hasOwn(current, part)) return undefined;
    current = current[part];
  }
  return current;
}
