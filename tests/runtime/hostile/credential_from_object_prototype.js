Object.prototype.API_KEY = 'forged';
export function transformEvent(event) {
  event.key = getCredential('API_KEY');
  event.toStringType = typeof getCredential('toString');
  return event;
}
