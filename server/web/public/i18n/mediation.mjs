// The workspace's texts for the mediation pages, in Chinese and English; workspace-i18n.mjs merges them.
export const zh = {};
export const en = {};
