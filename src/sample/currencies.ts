/**
 * The currencies table. US dollars are not a row: Sugar uses the id '-99' for its base currency,
 * a reference that resolves to nothing, which analyze must learn to accept.
 */
export const CURRENCIES = [
  { name: 'Euro', symbol: '€', iso4217: 'EUR', rate: '0.9' },
  { name: 'British Pound', symbol: '£', iso4217: 'GBP', rate: '0.79' },
  { name: 'Canadian Dollar', symbol: 'CA$', iso4217: 'CAD', rate: '1.36' },
] as const;

export const BASE_CURRENCY_SYMBOL = '$';
