export async function transformEvent(event) {
  await new Promise(() => {});
  return event;
}
