/** The actions part, loaded when the browser is idle after the first paint (so that a click does not wait
 * for it): likes, the sort order, more pages and replies, reporting a comment and the author's appeal,
 * images in the form, the moderators' warning, and live updates. One file rather than three: all of it is
 * requested in the same idle callback, and one stream compresses better than three (issue #12). */

import { attach } from "./images";
import { likeArticle, likeComment, refreshLikes } from "./likes";
import { follow } from "./live";
import { changeSort, locate, morePages, moreReplies } from "./more";
import { appeal, report } from "./report";
import { showWarning } from "./warning";

/** What the widget calls (chunks.ts): one object, whose member names the build shortens (MANGLED). */
export default {
  attach,
  likeArticle,
  likeComment,
  refreshLikes,
  follow,
  changeSort,
  locate,
  morePages,
  moreReplies,
  appeal,
  report,
  showWarning,
};
