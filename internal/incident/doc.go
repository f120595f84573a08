// Package incident projects the event log into incidents: a firing alert
// opens an incident or joins the open incident of the same service and
// class; the events of its profiles from the change that preceded it to
// its resolution attach to it; it resolves when its alerts have stayed
// resolved for a hold time. Nothing about an incident is stored as state:
// the store keeps events (alerts written by watch, notes, severity and
// owner set by people, action items) and Project recomputes incidents from
// them, so that a late event or a new rule of grouping changes the picture
// without a migration. docs/incidents.md is the contract.
//
// What people know that the events do not (impact on users, why a change
// was made) is never guessed: a postmortem drafted here marks those
// sections as needing human judgement until someone sets them.
//
// Security: every value this package reads is already safe to print —
// alert bodies carry review's masked old and new values and verify's
// scrubbed details; change bodies never hold a secret's value. The package
// copies them and adds nothing from files.
package incident
