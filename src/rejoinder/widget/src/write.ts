/** The write part, loaded at start beside the thread (not before the first paint): the comment form,
 * replies, posting, the preview, editing or deleting one's own comments, and the reader's own state
 * (likes, held and refused comments). */

import { buildForm, openReply } from "./form";
import { markHeld } from "./held";
import { listen } from "./listen";
import { addOwnControls } from "./own";
import { markViewer, readViewer } from "./viewer";

// fields.ts and place.ts are also the actions part's: it imports them from here (FROM_WRITE in
// scripts/build-widget.mjs) rather than bundling its own copy.
export { errorOf, field } from "./fields";
export { depthOf, placeComment } from "./place";

/** What the widget calls (chunks.ts): one object, whose member names the build shortens (MANGLED). */
export default { buildForm, openReply, markHeld, addOwnControls, markViewer, readViewer, listen };
