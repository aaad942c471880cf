// The workspace's texts for the service-addresses pages, in Chinese and English; workspace-i18n.mjs merges them.
export const zh = {
  "mail.template.address-confirmed": "送达地址确认",
  "mail.template.address-service": "电子送达（确认邮箱）",
};
export const en = {
  "mail.template.address-confirmed": "Addresses for service confirmed",
  "mail.template.address-service": "Service at a confirmed e-mail address",
};
