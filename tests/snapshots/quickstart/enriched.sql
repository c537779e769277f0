SELECT
  `t0`.`tx_id`,
  `t0`.`user_id`,
  CASE
    WHEN `t0`.`currency` = 'USD'
    THEN `t0`.`amount` * 0.92
    WHEN `t0`.`currency` = 'GBP'
    THEN `t0`.`amount` * 1.17
    ELSE `t0`.`amount`
  END AS `amount_eur`,
  IF(`t0`.`amount` > 250, 1, 0) AS `is_large`,
  EXTRACT(hour FROM `t0`.`ts`) AS `tx_hour`,
  COALESCE(`t0`.`merchant_category`, 'unknown') AS `category`,
  `t0`.`is_online`
FROM IDENTIFIER(:transactions) AS `t0`
WHERE
  `t0`.`amount` > 0
