package offline

import "regexp"

// A rule adds weight to an intent when its pattern matches the folded message (lower
// case, Latin diacritics removed: see hashembed.Normalize). Rules carry what nearest
// neighbours over a few exemplars miss: the words that name a request outright, in every
// supported language, whatever else the sentence says.
type rule struct {
	intent string
	weight float64
	re     *regexp.Regexp
}

// Rule weights, added to the cosine score of the intent.
const (
	strong = 0.45 // the word names the request: "refund", "stornieren", "转人工"
	medium = 0.3  // a typical phrase for it, but used for other things too
	weak   = 0.15 // a hint
)

func newRule(intent string, weight float64, pattern string) rule {
	return rule{intent: intent, weight: weight, re: mustCompileFolded(`(?i)` + pattern)}
}

// rules is read-only after package initialisation.
var rules = []rule{
	// contact_human_agent — including the words the greeting tells customers to type.
	newRule(intentHuman, strong, `\b(agent|agente|agen|human|humano|humain|mensch(en)?|mitarbeiter(in)?|`+
		`conseiller(e)?|atendente|asesor(a)?|operador(a)?|operator|operateur|representative|rep|`+
		`petugas|nhan vien|tu van vien|cskh|live (chat|person|agent)|real person|persona real|`+
		`pessoa real|vraie personne|echte(n)? person|orang (asli|beneran)|manusia|nguoi that|ansprechpartner|interlocuteur)\b`+
		`|موظف|إنسان|انسان|بشري|شخص حقيقي|ممثل خدمة|خدمة العملاء|เจ้าหน้าที่|พนักงาน|คนจริง|แอดมิน|`+
		`オペレーター|担当者|有人|人間|スタッフ|人工|真人|客服|人工客服`),
	newRule(intentHuman, medium, `\b(talk|talking|speak|speaking|chat|chatting|contact|contacting|connect|transfer|put me through|call)\b.{0,30}\b(someone|somebody|person|people|staff|support|assistant|customer (service|support|care|assistance))\b`+
		`|\b(customer (service|support|care)|support team)\b`+
		`|\bhablar con (alguien|una persona)|atencion al cliente|falar com (alguem|uma pessoa)|atendimento\b`+
		`|\bkundenservice|kundendienst|\bparler a (quelqu|une personne)|service client`+
		`|\bcustomer service\b|\bbicara dengan\b|\bhubungkan\b|\bgap (nguoi|ai)|cham soc khach hang`+
		`|人と話|カスタマーサポート|คุยกับคน|ฝ่ายบริการลูกค้า`),
	newRule(intentHuman, medium, `\b(not? (a )?(bot|robot)|no (quiero|quero)( hablar| falar)? con? (un )?(bot|robo)|keinen bot|pas (a )?un robot|bukan bot|khong (muon )?.{0,20}bot)\b`+
		`|ボットではなく|不要机器人|ไม่อยากคุยกับบอท|روبوت`),

	// cancel_order
	newRule(intentCancel, strong, `\b(cancel+(ed|ing|ation)?|cancelar|cancela(do|r|mento|cion)?|cancelen(lo)?|anular|anulen|`+
		`stornier\w*|storno|annul\w*|batal\w*|huy don|huy)\b|\bcancel`+
		`|إلغاء|الغاء|ألغ|الغي|ยกเลิก|キャンセル|取り消|取消|撤销|撤單|撤单`),
	newRule(intentCancel, medium, `\b(call off|don'?t want (it|the order) anymore|ya no (lo )?quiero|nao quero mais|will .{0,20}nicht mehr|`+
		`ne veux plus|tidak jadi|khong (muon )?mua nua|desistir|rucktritt|zurucktreten)\b`),

	// get_refund
	newRule(intentRefund, strong, `\b(refund\w*|reimburs\w*|money back|reembols\w*|estorno|rembours\w*|ruckerstatt\w*|erstatt\w*|`+
		`geld zuruck|dinero de vuelta|devuelvan (mi|el) dinero|dinheiro de volta|hoan tien|tra lai tien|`+
		`pengembalian dana|dana (saya )?(kembali|dikembalikan)|uang (saya )?kembali)\b`+
		`|استرداد|استرجاع|ترجع فلوس|فلوسي|คืนเงิน|เงินคืน|รีฟันด์|返金|払い戻し|退款|退钱|退錢|退貨退款`),
	newRule(intentRefund, medium, `\b(compensat\w*|rebat\w*|restitu\w*|devolucion del (dinero|importe)|gutschrift|avoir|`+
		`get (my|the) money|want (my|the) money)\b`),

	// track_order
	newRule(intentTrack, strong, `\b(track(ing)?|rastre\w*|seguimiento|sendungsverfolgung|suivi|lacak|resi|theo doi don|ma van don)\b`+
		`|\bwhere('?s| is| are)\b.{0,20}\b(order|package|parcel|shipment|delivery|stuff|purchase)`+
		`|\b(donde|onde|cade|wo|ou|dimana|di mana)\b.{0,20}\b(pedido|paquete|envio|compra|encomenda|bestellung|paket|lieferung|commande|colis|pesanan|paket)`+
		`|\b(no ha llegado|no me (ha )?llego|nao chegou|nicht angekommen|noch nicht (da|angekommen|erhalten)|pas (encore )?(recu|arrive)|`+
		`belum (sampai|datang|nyampe|diterima|terima)|chua (nhan|toi|giao|den)|(hasn'?t|has not|never|didn'?t|did not|not) (arrived|come|came|received))\b`+
		`|(haven'?t|have not|didn'?t|did not) (got|get|received?)\b.{0,20}\b(order|package|parcel)`+
		`|أين طلبي|وين طلبي|وين الطلب|تتبع|لم يصل|ما وصل|لم أستلم|อยู่ไหน|อยู่ที่ไหน|ยังไม่ได้รับ|ถึงไหน|เลขพัสดุ|ติดตาม|`+
		`届かない|届きません|届いていない|まだ届|追跡|配送状況|到哪|在哪|物流|没收到|還沒收到|还没到|查一下订单|查询订单`),
	newRule(intentTrack, medium, `\blocate\b|\bwhereabouts\b|\beta\b|estimated time of arrival`),
	newRule(intentTrack, medium, `\b(status|estado|statut|stand|tinh trang|eta)\b.{0,25}\b(order|pedido|commande|bestellung|pesanan|don hang|purchase|compra|encomenda)`+
		`|\b(order|pedido|commande|bestellung|pesanan|don hang)\b.{0,15}\b(status|estado|statut)\b`+
		`|\b(shipped|dispatched|enviado|enviaron|verschickt|versandt|expedie|dikirim)\b`+
		`|حالة الطلب|สถานะ|発送され|発货了吗|发货了吗|状況`),

	// delivery_period
	newRule(intentDelivery, strong, `\bhow (long|many days|soon|quickly)\b|\b(delivery|shipping|transit) (times?|periods?|timeframes?|time frames?)\b`+
		`|\b(cuanto (tarda|demora|tiempo)|cuantos dias|plazo de entrega|tiempo de entrega|quanto tempo|prazo de entrega|quantos dias|`+
		`wie lange|lieferzeit|versanddauer|wie schnell|combien de (temps|jours)|delai(s)? de livraison|delai d'expedition|`+
		`bao lau|may ngay|thoi gian (giao|van chuyen)|berapa (lama|hari)|estimasi pengiriman|lama pengiriman)\b`+
		`|كم يوم|كم يستغرق|مدة (التوصيل|الشحن)|กี่วัน|นานไหม|ระยะเวลาจัดส่ง|何日|どのくらい|日数|多久|几天|幾天|多长时间|多長時間`),
	newRule(intentDelivery, medium, `\bwhen\b.{0,30}\b(arrive|be delivered|get here)\b|\bwhen (will|would|can|do)\b.{0,25}\b(arrive|get|receive|deliver|expect)|\b(cuando|quando|wann|quand|kapan|khi nao)\b.{0,25}\b(llega|chega|kommt|recevoir|sampai|nhan|toi)`+
		`|متى يوصل|เมื่อไหร่|いつ届|什么时候到|什麼時候到`),

	// payment_issue
	newRule(intentPayment, strong, `\b(charged twice|double charged?|double charge|card (was |got )?(declined|rejected)|payment (failed|declined|rejected|error|issue|problem)s?|`+
		`(can'?t|cannot|unable to) pay|cobrad[oa]s? dos veces|cargo doble|me cobraron|tarjeta rechazada|rechazaron la tarjeta|no me deja pagar|`+
		`pago (rechazado|fallido|no pasa)|cobrad[oa] duas vezes|cartao (foi )?recusado|pagamento (nao|recusado|falhou)|`+
		`doppelt abgebucht|zahlung (fehlgeschlagen|abgelehnt|geht nicht|funktioniert nicht)|karte (wurde )?abgelehnt|`+
		`paiement (a )?(echoue|refuse|ne passe pas)|carte (a ete )?refusee|debite deux fois|double prelevement|`+
		`thanh toan (khong duoc|bi loi|that bai|loi)|bi tru tien|pembayaran (saya )?(gagal|tidak masuk|error)|gagal bayar|tidak bisa bayar|terpotong)\b`+
		`|فشل الدفع|مشكلة في الدفع|خصم|مرفوض|ชำระเงินไม่ได้|จ่ายเงินไม่|ตัดเงิน|บัตรถูกปฏิเสธ|`+
		`支払いができ|支払えない|決済エラー|二重に請求|カードが使え|付款失败|支付失败|付不了|扣了两次|重复扣款|支付不了`),
	newRule(intentPayment, medium, `\b(errors?|issues?|problems?|troubles?)\b.{0,12}\b(with|in|on)\b.{0,12}\bpayments?\b`),
	newRule(intentPayment, weak, `\b(payment|pay|paying|paid|pago|pagar|pagamento|zahlung|bezahl\w*|paiement|payer|thanh toan|pembayaran|bayar|paypal|checkout)\b`+
		`|الدفع|ชำระเงิน|支払|決済|付款|支付`),

	// complaint
	newRule(intentComplaint, strong, `\b(complain\w*|complaint|reclamation|queja|reclamacion|reclamo|reclamacao|reclamar|procon|beschwer\w*|plainte|`+
		`khieu nai|phan nan|phan anh|komplain|keluhan|mengeluh)\b`+
		`|شكوى|ร้องเรียน|苦情|クレーム|投诉|投訴`),
	newRule(intentComplaint, strong, `\b(file|filing|lodge|lodging|make|making|submit|open)\b.{0,30}\bclaims?\b|\b(consumer|customer) claims?\b|\bclaims? against\b`),
	newRule(intentComplaint, medium, `\b(unacceptable|terrible|awful|worst|disgusting|scam|rude|furious|outrageous|`+
		`inaceptable|pesimo|verguenza|estafa|indignante|absurdo|pessimo|inaceitavel|golpe|descaso|`+
		`frechheit|unverschamt|inakzeptabel|katastroph\w*|betrug|unhoflich|inadmissible|scandaleux|honteux|arnaque|nul|`+
		`qua te|lua dao|that vong|parah|kecewa|penipuan|payah|kasar)\b`+
		`|غير مقبول|سيئ|زفت|نصب|احتيال|وقح|แย่|ผิดหวัง|รับไม่ได้|โกง|ひどい|最悪|詐欺|太差|失望|骗子|過分|过分`),

	// Requests the offline engine does not serve (accounts, invoices, addresses, product
	// questions, changing an order): they must not be mistaken for the nearest intent it
	// does serve ("cancel my account" is not cancel_order).
	newRule(IntentUnknown, medium, `\b(account|password|log ?in|sign ?up|register|registration|newsletter|subscription|unsubscribe|`+
		`invoice|bill|receipt|address|size|stock|discount|coupon|voucher|promo code|review|feedback|warranty|`+
		`payment (methods?|options?)|ways to pay|(shipping|delivery) (options?|methods?)|`+
		`cuenta|contrasena|factura|direccion|talla|cupon|konto|passwort|rechnung|adresse|grosse|gutschein|`+
		`compte|mot de passe|facture|taille|code promo|conta|senha|nota fiscal|endereco|tamanho|cupom|`+
		`akun|kata sandi|faktur|alamat|ukuran|kode promo|tai khoan|mat khau|hoa don|dia chi|ma giam gia)\b`+
		`|حساب|كلمة المرور|كلمة السر|فاتورة|عنوان|مقاس|كود خصم|บัญชี|รหัสผ่าน|ใบกำกับ|ที่อยู่|ไซซ์|โค้ดส่วนลด|`+
		`アカウント|パスワード|領収書|請求書|住所|サイズ|クーポン|退会|账号|账户|帳號|密码|密碼|发票|發票|地址|尺码|优惠券`),
	newRule(IntentUnknown, medium, `\b(change|modify|edit|update|add|remove)\b.{0,25}\b(order|purchase)\b`),
	newRule(IntentUnknown, medium, `\b(can i|could i|do you accept|do you take)\b.{0,15}\b(pay|paypal|card|cash|klarna|apple pay)`+
		`|\b(puedo pagar|aceptan|posso pagar|aceitam|kann ich .{0,15}bezahlen|puis-je payer|bisa bayar)\b`),

	// greeting / thanks / goodbye: light, so that "hi, where is my order" stays track_order.
	newRule(intentGreeting, medium, `^\W*(hello|hi|hey|hiya|good (morning|afternoon|evening)|hola|buenas|buenos dias|hallo|guten (tag|morgen|abend)|moin|servus|`+
		`bonjour|bonsoir|salut|coucou|ola|oi|bom dia|boa (tarde|noite)|xin chao|chao|alo|halo|hai|selamat (pagi|siang|sore|malam))\b`+
		`|^\W*(مرحبا|السلام عليكم|أهلا|اهلا|هلا|صباح الخير|مساء الخير|สวัสดี|หวัดดี|こんにちは|おはよう|こんばんは|你好|您好|在吗|哈喽)`),
	// A bare acknowledgement reads as thanks: "You're welcome, anything else?" fits it.
	newRule(intentThanks, medium, `^\W*(ok|okay|oke|okey|okie|vale|perfect|perfecto|perfeito|great|genial|alright|entendido|entendi|`+
		`d'accord|beres|siap|duoc roi|ok nhe)\W*$|^\W*(好的|了解です|わかりました|โอเค|حسنا|تمام)\W*$`),
	newRule(intentThanks, medium, `\b(thanks?|thank you|thx|ty|gracias|danke|merci|obrigad[oa]|valeu|cam on|cảm ơn|terima kasih|makasih)\b`+
		`|شكرا|مشكور|ขอบคุณ|ขอบใจ|ありがとう|谢谢|謝謝|多谢|感谢|感謝`),
	newRule(intentGoodbye, medium, `\b(bye|goodbye|see you|adios|hasta (luego|pronto)|chao|chau|tschuss|auf wiedersehen|au revoir|a bientot|`+
		`tchau|ate (logo|mais)|tam biet|sampai jumpa|dadah)\b`+
		`|مع السلامة|إلى اللقاء|ลาก่อน|บาย|さようなら|失礼します|再见|拜拜`),
}

// orderWordRE finds a mention of an order or parcel.
var orderWordRE = mustCompileFolded(`(?i)` + orderKeywords + `|\b(package|parcel|shipment|paquete|envio|paket|lieferung|colis|pacote|hang|pacote)\b|พัสดุ|荷物|包裹|快递|شحنة`)

// socialIntents are the small-talk intents that a substantive request in the same message
// overrides.
var socialIntents = map[string]bool{intentGreeting: true, intentThanks: true, intentGoodbye: true}

// ruleScores adds the weight of every matching rule to its intent. An intent gets each
// weight once even if several rules of that weight match.
func ruleScores(folded string) map[string]float64 {
	scores := make(map[string]float64)
	for _, r := range rules {
		if r.re.MatchString(folded) {
			scores[r.intent] += r.weight
		}
	}
	// "Cancel my account", "payment options": out-of-scope objects with in-scope verbs.
	// Unless an order is mentioned too, the verb alone is only a hint.
	if scores[IntentUnknown] > 0 && !orderWordRE.MatchString(folded) {
		for _, in := range []string{intentCancel, intentPayment, intentTrack} {
			scores[in] = min(scores[in], weak)
		}
	}
	// "How long does a refund take?" is about the refund, not about delivery times.
	if scores[intentRefund] >= strong {
		scores[intentDelivery] = min(scores[intentDelivery], weak)
	}
	return scores
}
