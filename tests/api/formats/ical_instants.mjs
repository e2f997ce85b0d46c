// Reads an iCalendar document on stdin with ical.js (Thunderbird's parser) and prints
// {"<UID>": ["<start, UTC ISO>", "<end, UTC ISO>"]} for every VEVENT, times resolved
// through the document's own VTIMEZONEs. Usage: node ical_instants.mjs <path to ical.js>
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const { default: ICAL } = await import(pathToFileURL(process.argv[2]).href);
const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const utc = ICAL.Timezone.utcTimezone;
const instants = {};
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  if (event.startDate.zone === ICAL.Timezone.localTimezone) {
    throw new Error(`${event.uid}: its time zone was not resolved`);
  }
  instants[event.uid] = [event.startDate, event.endDate].map((time) =>
    time.convertToZone(utc).toJSDate().toISOString(),
  );
}
process.stdout.write(JSON.stringify(instants));
