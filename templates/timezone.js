// ---------------------------------------------------------------------------
// Time zones: IANA names only ("America/New_York"), as Customer.io's send-in-local-time
// needs. The names come from the IANA database (generator/contract/data/timezones.json);
// no Intl, which QuickJS lacks. A name in another case is given its own; an abbreviation
// such as "PST" is not a zone name (it could mean several), so it is not accepted.
// ---------------------------------------------------------------------------

const TIMEZONES = new Map({{ c.timezones | list | js }}.map((name) => [name.toLowerCase(), name]));
