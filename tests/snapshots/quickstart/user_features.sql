SELECT
  `t1`.`user_id`,
  COUNT(*) AS `tx_count`,
  SUM(`t1`.`amount_eur`) AS `total_eur`,
  AVG(`t1`.`amount_eur`) AS `avg_eur`,
  MAX(`t1`.`amount_eur`) AS `max_eur`,
  SUM(`t1`.`is_large`) AS `large_tx`,
  SUM(CAST(`t1`.`tx_hour` < 6 AS INT)) AS `night_tx`,
  SUM(CAST(`t1`.`is_online` AS INT)) AS `online_tx`,
  COUNT(DISTINCT `t1`.`category`) AS `categories`
FROM (
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
) AS `t1`
GROUP BY
  1
