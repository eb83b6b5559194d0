export function transformEvent(event) {
  return { ...event, big: 10n };
}
