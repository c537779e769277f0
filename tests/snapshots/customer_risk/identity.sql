SELECT
  `t0`.`user_id`,
  NB2JVM_NORMALIZE_EMAIL_C60B0071(CAST(`t0`.`email` AS STRING)) AS `email`,
  NB2JVM_NAME_KEY_C2BA671B(CAST(`t0`.`full_name` AS STRING)) AS `name`,
  NB2JVM_LUHN_VALID_B4AAF351(CAST(`t0`.`card_number` AS STRING)) AS `card_ok`
FROM IDENTIFIER(:customers) AS `t0`
