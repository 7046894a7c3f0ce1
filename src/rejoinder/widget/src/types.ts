/** The shapes the widget reads from rejoinder's API (docs/api.md). */

export interface Author {
  name: string;
  website?: string | null;
  avatar?: string | null;
}

export interface CommentData {
  id: string;
  parent: string | null;
  depth: number;
  status: string;
  deleted?: boolean;
  pinned?: boolean;
  featured?: boolean;
  moderator_edited?: boolean;
  moderator_note?: string | null;
  staff?: boolean;
  author: Author;
  created: string;
  html: string;
  text?: string;
  edited?: unknown;
  likes: number;
  reason?: string | null;
  reason_code?: string | null;
  can_appeal?: boolean;
  appealed?: boolean;
  edit_token?: string;
  edit_until?: string;
  /** Attached images (left out when there are none). */
  images?: { url: string; width: number; height: number; alt: string }[];
  /** Replies of this top-level comment that the page left out (GET /api/threads bounds them). */
  more_replies?: number;
}

export interface Liker {
  name: string;
  avatar?: string | null;
}

export interface ThreadInfo {
  count: number;
  likes: { count: number; recent: Liker[] };
  reactions?: { kinds: Record<string, number>; count: number; recent: Liker[] };
}

export interface SiteSettings {
  name?: string;
  display_depth?: number;
  allow_guests?: boolean;
  require_email?: boolean;
  commenting?: boolean;
  /** The "Email me …" boxes: offered (the server sends email), and which start ticked. */
  subscriptions?: { available: boolean; replies: boolean; thread: boolean };
  /** The reactions offered on the article and every comment, and whether Like stays beside them. */
  reactions?: { kind: string; emoji: string }[];
  like_button?: boolean;
  /** Readers may attach images to comments (the images part). */
  images?: { enabled: boolean; max_count: number; max_bytes: number };
}

export interface ThreadPage {
  thread: ThreadInfo;
  comments: CommentData[];
  page: { number: number; pages: number };
  site?: SiteSettings;
  reactions?: Record<string, Record<string, number>>;
}

export interface RepliesPage {
  comments: CommentData[];
  more: number;
  reactions?: Record<string, Record<string, number>>;
}

export interface ViewerState {
  liked: string[];
  liked_thread?: boolean;
  own: CommentData[];
  refused?: CommentData[];
  reacted?: Record<string, string[]>;
  muted?: string[];
}

/** A sign-in button, drawn from these fields alone (GET /api/auth/providers; never from its kind). */
export interface Provider {
  name: string;
  label: string;
  icon?: string;
  start: string;
  /** popup: rejoinder's popup at `start`; page: the publisher's page at `start` (with `return` only) */
  opens: string;
  /** offered when adding a sign-in method to the signed-in reader */
  can_link: boolean;
  /** the string of its "add" button when not "Add sign-in with {name}" */
  link_text: string;
}

export interface Me {
  identity: { display_name: string; show_in_likes?: boolean; avatar?: string };
  provider: { label: string };
}

/** One comment on screen, with the controls the widget keeps a hand on. */
export interface Item {
  comment: CommentData;
  li: HTMLLIElement;
  text?: HTMLDivElement;
  actions?: HTMLDivElement;
  slot?: HTMLDivElement;
  likeButton?: HTMLButtonElement;
  likeCount?: HTMLSpanElement;
  replyButton?: HTMLButtonElement;
  appealButton?: HTMLButtonElement;
  reportButton?: HTMLButtonElement;
  /** The reactions row (social.ts). */
  bar?: HTMLElement;
  editButton?: HTMLButtonElement;
  ownControls?: HTMLSpanElement;
  timeLeft?: HTMLSpanElement;
  editUntil?: number;
}

/** The one inline form open at a time (a reply, an appeal or a report) and how to close it. */
export interface OpenForm {
  item: Item;
  form: HTMLFormElement;
  close: (done?: unknown) => void;
}
