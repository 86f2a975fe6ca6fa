-- A delivery's error in Piazza's own words is kept as a catalog key and its
-- arguments (a JSON array), shown in each reader's language; error keeps
-- the Italian text, or the platform's words as they came (error_key '').
ALTER TABLE alert_deliveries ADD COLUMN error_key TEXT NOT NULL DEFAULT '';
ALTER TABLE alert_deliveries ADD COLUMN error_args TEXT NOT NULL DEFAULT '[]';

-- The fixed texts earlier versions wrote get their keys; the others (with
-- figures in them) stay as written.
UPDATE alert_deliveries SET error_key = CASE error
    WHEN 'pubblicazione non configurata' THEN 'alert.delivery.error.publish_off'
    WHEN 'esercitazione: un canale reale non riceve mai un''esercitazione' THEN 'alert.delivery.error.drill_real_channel'
    WHEN 'canale disattivato' THEN 'alert.delivery.error.channel_disabled'
    WHEN 'piattaforma non disponibile' THEN 'alert.delivery.error.platform_missing'
    WHEN 'nessuna risposta; nuovo tentativo con la stessa chiave di idempotenza' THEN 'alert.delivery.error.no_answer_retry'
    WHEN 'immagine dell''allerta' THEN 'alert.delivery.error.card'
    WHEN 'nessun bot Telegram configurato' THEN 'alert.delivery.error.no_bot'
    WHEN 'esercitazione: il bot reale non riceve mai un''esercitazione' THEN 'alert.delivery.error.drill_real_bot'
    WHEN 'quasi tutte le chat rifiutano il bot: controllare il token prima di continuare' THEN 'alert.delivery.error.bot_refused'
    WHEN 'invio ai iscritti interrotto' THEN 'alert.delivery.error.bot_interrupted'
    WHEN 'notifiche push non configurate' THEN 'alert.delivery.error.push_off'
    WHEN 'messaggio push non valido' THEN 'alert.delivery.error.push_invalid'
    WHEN 'invio interrotto: la consegna non è più in corso (ripresa da un altro processo o risolta da una persona)' THEN 'alert.delivery.error.lease_lost'
    WHEN 'database non disponibile' THEN 'alert.delivery.error.database'
    WHEN 'ripreso dopo un''interruzione' THEN 'alert.delivery.error.resumed'
    WHEN 'interrotto durante l''invio: verificare sulla piattaforma' THEN 'alert.delivery.error.interrupted'
    ELSE '' END
WHERE error <> '' AND error_key = '';
