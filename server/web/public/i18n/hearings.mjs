// The workspace's texts for the hearings pages, in Chinese and English; workspace-i18n.mjs merges them.
export const zh = {};
export const en = {};
