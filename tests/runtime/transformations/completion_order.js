export async function transformEvent(event) {
  if (event.event === "slow") {
    const answer = await fetch("https://api.example.com/slow");
    return { ...event, answer };
  }
  if (event.event === "drop") return null;
  return event;
}
