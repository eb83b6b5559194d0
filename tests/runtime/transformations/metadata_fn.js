export function transformEvent(event, metadata) {
  return { own: metadata(event), none: metadata() };
}
