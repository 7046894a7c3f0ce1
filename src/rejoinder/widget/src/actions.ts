/** The actions part, loaded when the browser is idle after the first paint (so that a click does not wait
 * for it): likes, the sort order, more pages and replies, reporting a comment and the author's appeal, live
 * updates, reactions and muting. One file rather than four: the first three were requested in the same idle
 * callback anyway, and one stream compresses better than several (issue #12). Reactions and muting are drawn
 * only where the site offers reactions or the reader is signed in (Widget.loadSocial). */

import { likeArticle, likeComment, refreshLikes } from "./likes";
import { follow } from "./live";
import { changeSort, locate, morePages, moreReplies } from "./more";
import { appeal, report } from "./report";
import { attach, decorate, manage, redraw } from "./social";

/** What the widget calls (chunks.ts): one object, whose member names the build shortens (MANGLED). */
export default {
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
  attach,
  decorate,
  manage,
  redraw,
};
