/** The English the first paint needs (locales/en.json holds the same words; a test keeps them equal).
 * The lazily loaded parts carry their own English next to their code (signin.ts, own.ts, report.ts). */

export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

export const CORE_STRINGS = {
  responses: { one: "{n} Response", other: "{n} Responses" } as Plural,
  likes: { one: "{n} person likes this", other: "{n} people like this" } as Plural,
  firstLike: "Be the first to like this",
  like: "Like",
  likeArticle: "Like this article",
  likers: "Recent likes",
  sort: "Sort by",
  oldest: "Oldest",
  newest: "Newest",
  top: "Top",
  reacted: "Most reacted",
  reply: "Reply",
  replyTo: "Reply to {name}",
  inReplyTo: "in reply to {name}",
  someone: "a deleted comment",
  deleted: "This comment was deleted.",
  report: "Report",
  edited: "edited",
  leave: "Leave a Reply",
  more: "Load more comments",
  earlier: "Show earlier comments",
  moreReplies: { one: "Show {n} more reply", other: "Show {n} more replies" } as Plural,
  loading: "Loading comments…",
  loadFailed: "Comments could not be loaded.",
  retry: "Try again",
  link: "Link to this comment",
  offline: "The comment server could not be reached. Check your connection and try again.",
  notAllowed: "Comments are not enabled for this website: its address is not registered with the comment server.",
  closed: "Commenting is closed.",
  staff: "Staff",
  staffSr: ": a moderator of this site",
  pinned: "Pinned",
  featured: "Featured",
  byMod: " by a moderator",
  image: "Image",
  modEdited: "Edited by a moderator",
  errors: {} as Record<string, string>,
};

/** `reasons` (why a comment waits or was refused, by the API's `reason_code`) comes with a translation
 * only: in English the widget shows the server's own `reason` sentence. */
export type CoreStrings = typeof CORE_STRINGS & { reasons?: Record<string, string> };
