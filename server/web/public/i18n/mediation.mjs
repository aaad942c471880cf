// The workspace's texts for the mediation pages, in Chinese and English; workspace-i18n.mjs merges them.
export const zh = {
  "mail.template.mediation-status": "诉前调解进展",
};
export const en = {
  "mail.template.mediation-status": "Pre-litigation mediation",
};
