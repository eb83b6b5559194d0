export async function transformEvent(event) {
  const suffix = await Promise.resolve(" (awaited)");
  return { ...event, event: event.event + suffix };
}
