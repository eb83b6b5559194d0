// ---------------------------------------------------------------------------
// Phone numbers → E.164 ("+12125550110"), for Customer.io's SMS.
// A port of how libphonenumber parses a number (its `parse` followed by `isPossibleNumber`),
// with the part of its metadata that parsing reads (generator/contract/data/phone.json): for
// each region its calling code, international and national dialling prefixes, the rewrite
// some regions apply to national numbers, the pattern national numbers follow, and their
// possible lengths. Whether a number is assigned, or is a mobile, is not checked.
// ---------------------------------------------------------------------------

// region → [calling code, international prefix, national prefix, its rewrite, national
// number pattern, possible lengths, lengths dialled only locally] (patterns as text; "" when none)
const PHONE_REGIONS = {{ c.phones.regions | js }};

// calling code → the region whose plan numbers with that code follow (as libphonenumber's main region)
const PHONE_MAIN = {{ c.phones.main | js }};

// Most of the world dials abroad with 00; no national number starts with it, so it is read
// as international even where the region's own prefix is another (011 in the US). Here gen
// reads more than libphonenumber, which takes "0044 20 …" in the US for a national number.
const PHONE_ABROAD = '00';
// No phone number is written in more characters than this; longer text is not parsed.
const PHONE_LENGTH = 64;
const PHONE_MIN_NATIONAL = 2;
const PHONE_MAX_NATIONAL = 17;
// An extension ("ext. 12", "x12", ",,12", "4557#") at the end: E.164 cannot hold one.
const PHONE_EXTENSION = new RegExp('(?:' + {{ c.phones.extension | js }} + ')$', 'i');
// Dashes, brackets, digits and plus as typed on phones and in CJK input methods.
const PHONE_DASHES = /[\u2010-\u2015\u2212\u30FC\uFF0D\u2053\u223C\uFF5E\uFF0F]/g;
const PHONE_WIDE = /[\uFF08\uFF09\uFF3B\uFF3D\uFF0B\uFF10-\uFF19\u3000]/g;
const PHONE_WIDE_AS = { '\uFF08': '(', '\uFF09': ')', '\uFF3B': '[', '\uFF3D': ']', '\uFF0B': '+', '\u3000': ' ' };
// After the number: anything but digits, letters and # (a full stop, a closing quote).
const PHONE_TRAILING = /[^#0-9A-Za-z\u0080-\uFFFF]+$/;
// What a written number may hold once extracted: pluses, then digits, punctuation and letters.
const PHONE_WRITTEN = /^\+*[\d\s().\-\/\[\]~*A-Za-z]*$/;
// Letters of vanity numbers (1-800-FLOWERS) → the keypad digit they dial.
const PHONE_KEYPAD = '22233344455566677778889999';

const phonePlans = new Map();

// A region's plan with its patterns compiled (once per region, when first needed).
function phonePlan(key) {
  let plan = phonePlans.get(key);
  if (plan === undefined) {
    const [code, international, national, rewrite, pattern, lengths, local] = PHONE_REGIONS[key];
    plan = {
      code: String(code),
      international: international === '' ? null : new RegExp('^(?:' + international + ')'),
      national: national === '' ? null : new RegExp('^(?:' + national + ')'),
      nationalSource: national,
      rewrite: rewrite,
      pattern: new RegExp('^(?:' + pattern + ')$'),
      lengths: lengths,
      local: local,
    };
    phonePlans.set(key, plan);
  }
  return plan;
}

// libphonenumber's length test: 'possible', 'local', 'short', 'long' or 'invalid'.
function phoneLength(national, plan) {
  if (plan.local.includes(national.length)) return 'local';
  if (plan.lengths.includes(national.length)) return 'possible';
  if (national.length < plan.lengths[0]) return 'short';
  if (national.length > plan.lengths[plan.lengths.length - 1]) return 'long';
  return 'invalid';
}

// A national prefix dialled before the number at home ("0" in "020 7946 0958"), removed
// unless the number only fits its plan with it; some regions rewrite instead (Argentina's 15).
function stripNationalPrefix(national, plan) {
  if (plan.national === null) return national;
  const match = plan.national.exec(national);
  if (match === null) return national;
  const viable = plan.pattern.test(national);
  let stripped;
  if (plan.rewrite === '' || match[match.length - 1] === undefined) {
    stripped = national.slice(match[0].length);
  } else {
    stripped = national.replace(new RegExp(plan.nationalSource), plan.rewrite);
  }
  return viable && !plan.pattern.test(stripped) ? national : stripped;
}

// The calling code at the start of `digits`: [code, rest], or null (codes are 1 to 3 digits
// and no code is the start of another).
function callingCode(digits) {
  if (digits.startsWith('0')) return null;
  for (let length = 1; length <= 3 && length <= digits.length; length += 1) {
    const code = digits.slice(0, length);
    if (PHONE_MAIN[code] !== undefined) return [code, digits.slice(length)];
  }
  return null;
}

// libphonenumber's test that text can be a number: two digits, or three digits before any
// letter (in "1-800-FLOWERS" the letters come after), and nothing but punctuation besides.
function phoneViable(written) {
  if (/^\d{2}$/.test(written)) return true;
  if (!PHONE_WRITTEN.test(written)) return false;
  let digits = 0;
  for (const character of written) {
    if (character >= '0' && character <= '9') digits += 1;
    else if (/[A-Za-z]/.test(character)) return false;
    if (digits === 3) return true;
  }
  return false;
}

// Digits only, letters dialled as keypad digits when there are three or more.
function phoneDigits(written) {
  if ((written.match(/[A-Za-z]/g) || []).length >= 3) {
    return written.replace(/[A-Za-z]/g, (letter) => PHONE_KEYPAD[letter.toUpperCase().charCodeAt(0) - 65]).replace(/\D/g, '');
  }
  return written.replace(/\D/g, '');
}

// Where the number's calling code comes from, as libphonenumber finds it: [code, national
// number], or [null, digits] for a number written as dialled at home; undefined when it
// cannot be a number.
function splitCallingCode(written, home) {
  const plus = /^\++/.exec(written);
  if (plus !== null) {
    const digits = phoneDigits(written.slice(plus[0].length));
    if (digits.length <= PHONE_MIN_NATIONAL) return undefined;
    const found = callingCode(digits);
    if (found !== null) return found;
    // "+0044…": the plus was not the international sign; read the rest without it, abroad only.
    const again = splitCallingCode(written.slice(plus[0].length), home);
    return again === undefined || again[0] === null ? undefined : again;
  }
  const digits = phoneDigits(written);
  let idd = home !== null && home.international !== null ? home.international.exec(digits) : null;
  if (idd === null && digits.startsWith(PHONE_ABROAD)) idd = [PHONE_ABROAD];
  if (idd !== null && digits.charAt(idd[0].length) !== '0') {
    const rest = digits.slice(idd[0].length);
    if (rest.length <= PHONE_MIN_NATIONAL) return undefined;
    const found = callingCode(rest);
    return found === null ? undefined : found;
  }
  if (home !== null && digits.startsWith(home.code)) {
    // "1 212 555 0110" dialled in the US: the region's own code, written without a plus.
    const rest = stripNationalPrefix(digits.slice(home.code.length), home);
    if ((!home.pattern.test(digits) && home.pattern.test(rest)) || phoneLength(digits, home) === 'long') {
      return [home.code, rest];
    }
  }
  return [null, digits];
}

// One phone number in any common written form → E.164, or undefined. A number without a
// country code is read in `region` (the contract's default_region), or not at all.
function parsePhone(text, region) {
  if (text.length > PHONE_LENGTH) return undefined;
  let written = cleanText(text).replace(PHONE_DASHES, '-');
  written = written.replace(PHONE_WIDE, (wide) => PHONE_WIDE_AS[wide] || String(wide.charCodeAt(0) - 0xFF10));
  // tel: URIs ("tel:+1-212-555-0110;ext=12"): their parameters carry nothing E.164 holds.
  written = written.trim().replace(/^tel:/i, '');
  for (const parameter of [';isub=', ';phone-context=']) {
    const at = written.toLowerCase().indexOf(parameter);
    if (at >= 0) written = written.slice(0, at);
  }
  const start = written.search(/[+\d]/);
  if (start < 0) return undefined;
  written = written.slice(start).replace(PHONE_TRAILING, '').split(/[\\/] *x/)[0];
  const extension = PHONE_EXTENSION.exec(written);
  if (extension !== null && phoneViable(written.slice(0, extension.index))) written = written.slice(0, extension.index);
  if (!phoneViable(written)) return undefined;
  const home = region !== undefined && PHONE_REGIONS[region] !== undefined ? phonePlan(region) : null;
  const split = splitCallingCode(written, home);
  if (split === undefined) return undefined;
  let [code, national] = split;
  let plan;
  if (code === null) {
    if (home === null) return undefined;
    code = home.code;
    plan = home;
  } else {
    plan = phonePlan(PHONE_MAIN[code]);
  }
  if (national.length < PHONE_MIN_NATIONAL) return undefined;
  const stripped = stripNationalPrefix(national, plan);
  const fit = phoneLength(stripped, plan);
  if (fit !== 'short' && fit !== 'local' && fit !== 'invalid') national = stripped;
  if (national.length < PHONE_MIN_NATIONAL || national.length > PHONE_MAX_NATIONAL) return undefined;
  // Possible where the number belongs: the main region of its calling code.
  return phoneLength(national, phonePlan(PHONE_MAIN[code])) === 'possible' ? '+' + code + national : undefined;
}

// A phone property: a string, a whole number, or a list of them (the first valid one wins).
function firstPhone(value, region) {
  const candidates = Array.isArray(value) ? value.slice(0, 10) : [value];
  for (const candidate of candidates) {
    let text;
    if (typeof candidate === 'string') text = candidate;
    else if (typeof candidate === 'number' && Number.isSafeInteger(candidate) && candidate > 0) text = String(candidate);
    else continue;
    const phone = parsePhone(text, region);
    if (phone !== undefined) return phone;
  }
  return undefined;
}
