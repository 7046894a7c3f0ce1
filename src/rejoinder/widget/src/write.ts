/** The write part, loaded at start beside the thread (not before the first paint): the comment form,
 * replies, posting, the preview, editing or deleting one's own comments, and the reader's own state
 * (likes, held and refused comments). */

// fields.ts and place.ts are also the actions part's: it imports them from here (FROM_WRITE in
// scripts/build-widget.mjs) rather than bundling its own copy.
export { errorOf, field } from "./fields";
export { buildForm, openReply } from "./form";
export { markHeld } from "./held";
export { addOwnControls } from "./own";
export { depthOf, placeComment } from "./place";
export { markViewer, readViewer } from "./viewer";
