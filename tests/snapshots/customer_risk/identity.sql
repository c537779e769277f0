SELECT
  `t0`.`user_id`,
  NB2JVM_NORMALIZE_EMAIL_6DF0AC41(CAST(`t0`.`email` AS STRING)) AS `email`,
  NB2JVM_NAME_KEY_8D9336DF(CAST(`t0`.`full_name` AS STRING)) AS `name`,
  NB2JVM_LUHN_VALID_18280B88(CAST(`t0`.`card_number` AS STRING)) AS `card_ok`
FROM IDENTIFIER(:customers) AS `t0`
