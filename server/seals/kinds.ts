// The kinds of seal an organisation holds, and the text each carries across its bottom.
export const SEAL_KINDS = ["official", "contract", "finance"] as const;
export type SealKind = (typeof SEAL_KINDS)[number];

export const SEAL_KIND_TEXT: Record<SealKind, string> = {
  official: "公章",
  contract: "合同专用章",
  finance: "财务专用章",
};

/** A cross-page seal's diameter in points (about 42 mm, the common size of a 公章). */
export const CROSS_PAGE_SEAL_SIZE = 119;
