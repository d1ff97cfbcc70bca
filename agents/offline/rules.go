package offline

import "github.com/attache-dev/attache/knowledge/hashembed"

// A rule adds weight to an intent when one of its terms occurs in the folded message (lower
// case, Latin diacritics removed: see hashembed.Normalize; matching: see match.go). Rules
// carry what nearest neighbours over a few exemplars miss: the words that name a request
// outright, in every supported language, whatever else the sentence says.
type rule struct {
	intent int // index in Intents()
	weight float64
	terms  []term
	// near, when set, must also occur within about `within` bytes of the term (after it
	// when ordered): "delete … account", "where … order".
	near    []term
	within  int
	ordered bool
	anchor  anchor
}

// Rule weights, added to the cosine score of the intent.
const (
	strong = 0.45 // the words name the request: "refund", "stornieren", "转人工"
	medium = 0.3  // a typical phrase for it, but used for other things too
	weak   = 0.15 // a hint
)

// maxRuleScore caps the sum of the rule weights of one intent.
const maxRuleScore = strong + medium

func anyOf(intent string, weight float64, list string) rule {
	return rule{intent: intentID(intent), weight: weight, terms: terms(list)}
}

func near(intent string, weight float64, within int, list, nearList string) rule {
	return rule{intent: intentID(intent), weight: weight, terms: terms(list), near: terms(nearList), within: within}
}

func then(intent string, weight float64, within int, list, nearList string) rule {
	r := near(intent, weight, within, list, nearList)
	r.ordered = true
	return r
}

func startsWith(intent string, weight float64, list string) rule {
	r := anyOf(intent, weight, list)
	r.anchor = atStart
	return r
}

func wholeMessage(intent string, weight float64, list string) rule {
	r := anyOf(intent, weight, list)
	r.anchor = onlyOf
	return r
}

// Word families shared by several rules, in the eleven languages.
const (
	orderNouns = `order|orders|purchase|package|parcel|shipment|delivery|stuff|pedido|paquete|envio|compra|` +
		`encomenda|pacote|bestellung|paket|lieferung|sendung|commande|colis|pesanan|paket|barang|don hang|kien hang|goi hang|` +
		`طلبي|الطلب|طلب|الشحنة|شحنة|คำสั่งซื้อ|ออเดอร์|พัสดุ|注文|荷物|订单|訂單|包裹|快递`

	accountNouns = `account|accounts|acount|accout|profile|user|cuenta|perfil|usuario|konto|benutzerkonto|profil|compte|` +
		`conta|akun|tai khoan|حساب|บัญชี|โปรไฟล์|アカウント|会員|账号|账户|帳號|帳戶|用户`

	problemWords = `problem*|issue*|error*|trouble*|cant|cannot|can not|unable|fail*|not working|doesnt work|didnt work|` +
		`wont let me|bug|glitch|stuck|no puedo|no me deja|falla*|fallo|fehler|kann nicht|klappt nicht|funktioniert nicht|` +
		`geht nicht|erreur|impossible|narrive pas|ne marche pas|ne fonctionne pas|bloque|erro|nao consigo|nao funciona|` +
		`masalah|gagal|tidak bisa|gak bisa|nggak bisa|ga bisa|tidak dapat|loi|khong the|khong duoc|van de|` +
		`مشكلة|خطأ|لا أستطيع|لا استطيع|ما أقدر|ما اقدر|تعذر|فشل|ปัญหา|ไม่ได้|ไม่สามารถ|ผิดพลาด|エラー|できない|できません|` +
		`問題|不具合|失敗|うまくいか|无法|不了|失败|错误|问题|出错|报错|不成功`

	registrationWords = `registration*|register*|sign up|signup|signing up|create an account|creating an account|` +
		`create account|creating account|account creation|creating user|create user|create a user|create a profile|` +
		`open a profile|open an account|opening an account|create my account|new account|registro|registrar*|` +
		`crear una cuenta|crear cuenta|registrierung|registrieren|konto erstellen|konto anlegen|inscription|inscrire|` +
		`minscrire|creer un compte|creation de compte|cadastro|cadastrar|criar conta|criar uma conta|pendaftaran|daftar|` +
		`mendaftar|registrasi|buat akun|membuat akun|dang ky|tao tai khoan|التسجيل|تسجيل|إنشاء حساب|انشاء حساب|` +
		`สมัครสมาชิก|ลงทะเบียน|สมัคร|สร้างบัญชี|登録|アカウント作成|注册|註冊|创建账号`

	// French elides the article into the noun ("l'adresse" folds to "ladresse").
	addressNouns = `address|adress|adresse|ladresse|dadresse|lieferadresse|versandadresse|anschrift|direccion|domicilio|endereco|alamat|` +
		`dia chi|عنوان|العنوان|عنواني|ที่อยู่|住所|お届け先|配送先|送付先|地址|收货地址|收貨地址`

	invoiceNouns = `invoice*|bill|bills|receipt*|factura*|rechnung*|quittung|beleg|facture*|nota fiscal|notas fiscais|` +
		`fatura*|recibo|faktur|kwitansi|struk|hoa don|bien lai|فاتورة|الفاتورة|فواتير|إيصال|ใบกำกับภาษี|ใบเสร็จ|` +
		`ใบแจ้งหนี้|請求書|領収書|インボイス|明細書|发票|發票|收据|收據`

	refundNouns = `refund*|reimburs*|rebate*|restitution*|compensation*|money|reembolso*|estorno|dinero|erstattung|` +
		`ruckerstattung|geld|remboursement|argent|dinheiro|dana|uang|hoan tien|tien hoan|tien|استرداد|الاسترداد|المبلغ|` +
		`فلوسي|เงินคืน|คืนเงิน|返金|退款|退钱`
)

// rules is read-only after package initialisation.
var rules = []rule{
	// contact_human_agent — including the words the greeting tells customers to type.
	anyOf(IntentHuman, strong, `agent|agents|agente|agentes|agen|human|humano|humain|mensch|menschen|mitarbeiter*|`+
		`conseiller*|atendente|asesor*|operador*|operator|operateur|representative|rep|petugas|nhan vien|tu van vien|`+
		`live chat|live person|live agent|real person|persona real|pessoa real|vraie personne|echte person|echten person|`+
		`orang asli|orang beneran|manusia|nguoi that|ansprechpartner|interlocuteur|`+
		`موظف|إنسان|انسان|بشري|شخص حقيقي|ممثل خدمة|เจ้าหน้าที่|พนักงาน|คนจริง|แอดมิน|`+
		`オペレーター|担当者|有人|人間|スタッフ|人工|真人`),
	then(IntentHuman, medium, 30, `talk|talking|speak|speaking|chat|chatting|contact|contacting|connect|transfer|put me through|call|`+
		`pasame|paseme|hablar|comunicarme|sprechen|reden|verbinden|parler|passer|falar|me passa|bicara|ngomong|noi chuyen|gap`,
		`someone|somebody|person|people|staff|assistant|anyone|anybody|alguien|una persona|jemand|jemandem|quelquun|`+
			`une personne|alguem|uma pessoa|seseorang|orang|ai do|nguoi`),
	anyOf(IntentHuman, strong, `pasame con|paseme con|passez moi|transfer me|put me through|verbinden sie mich|`+
		`me transfere|sambungkan saya|حولني|โอนสาย|つないで|转接`),
	anyOf(IntentHuman, medium, `call me|call me back|callback|llamenme|ruckruf|rappelez moi|me liguem|telepon saya|goi lai|`+
		`اتصلوا بي|โทรกลับ|折り返し|回电|给我打电话`),
	then(IntentHuman, medium, 30, `أكلم|اكلم|أتكلم|اتكلم|التحدث|أتحدث`, `موظف|شخص|أحد|حد`),
	anyOf(IntentHuman, medium, `hablar con alguien|hablar con una persona|falar com alguem|falar com uma pessoa|`+
		`parler a quelquun|parler a une personne|mit jemandem sprechen|bicara dengan orang|gap nguoi|noi chuyen voi nguoi|`+
		`人と話|คุยกับคน|أكلم شخص`),
	anyOf(IntentHuman, medium, `not a bot|not a robot|no bot|no robot|keinen bot|kein bot|pas un robot|pas a un robot|bukan bot|`+
		`khong muon noi chuyen voi bot|no quiero hablar con un bot|nao quero falar com robo|`+
		`ボットではなく|不要机器人|ไม่อยากคุยกับบอท|روبوت`),

	// contact_customer_service — the service as such: its hours, its number, how to reach it.
	anyOf(IntentService, strong, `customer service*|customer support|customer care|customer assistance|support team|`+
		`service team|helpdesk|help desk|hotline|atencion al cliente|servicio al cliente|servicio de atencion|`+
		`kundenservice|kundendienst|kundensupport|kundenbetreuung|service client|service clientele|support client|`+
		`atendimento ao cliente|servico de atendimento|sac|central de atendimento|layanan pelanggan|customer care|`+
		`cs|nomor cs|call center|callcenter|cham soc khach hang|cskh|tong dai|ho tro khach hang|bo phan ho tro|`+
		`خدمة العملاء|دعم العملاء|ฝ่ายบริการลูกค้า|คอลเซ็นเตอร์|ศูนย์บริการลูกค้า|`+
		`カスタマーサポート|カスタマーサービス|お客様窓口|お問い合わせ窓口|サポートセンター|客服|客户服务|客服中心|客服电话`),
	anyOf(IntentService, medium, `opening hours|business hours|what hours|what time*|contact you|get in touch|touch with|reach you|`+
		`call you|your phone number|phone number|contact details|contact number|contact email|email address to contact|`+
		`horario de atencion|telefono de contacto|como contactar*|contactarlos|kontakt*|erreichen|telefonnummer|`+
		`contacter|vous joindre|numero de telephone|entrar em contato|contato|telefone de contato|horario de atendimento|`+
		`hubungi|kontak|nomor telepon|jam operasional|lien he|so dien thoai|gio lam viec|`+
		`お問い合わせ|問い合わせ|連絡先|電話番号|营业时间|联系方式|联系你们|客服热线|ติดต่อ|เบอร์โทร|เวลาทำการ|`+
		`اتصل بكم|التواصل|رقم الهاتف|ساعات العمل`),

	// cancel_order
	anyOf(IntentCancel, strong, `cancel*|cancelar|cancela*|cancelen*|anular|anulen|stornier*|storno|annul*|batal*|`+
		`huy don|huy|إلغاء|الغاء|ألغ|الغي|ยกเลิก|キャンセル|取り消|取消|撤销|撤單|撤单`),
	anyOf(IntentCancel, medium, `call off|dont want it anymore|dont want the order anymore|ya no lo quiero|ya no quiero|`+
		`nao quero mais|nicht mehr haben|ne veux plus|tidak jadi|khong muon mua nua|khong mua nua|desistir|rucktritt|zurucktreten`),
	// check_cancellation_fee
	near(IntentCancellationFee, strong, 30, `fee|fees|charg*|free|free of charge|gratis|gratuit*|kostenlos|coste|costo|`+
		`custo|cout|mien phi|مجاني|مجانا|ฟรี|無料|免费|cobran|cobrar|cobra|kena biaya|`+
		`tinh phi|bi tinh phi|payant|扣钱|扣费|收费|要钱|有料|penalty|penalties|cost|costs|surcharge|`+
		`cargo|cargos|penalizacion|tarifa|comision|cuesta|gebuhr*|kosten|kostet|frais|penalite*|coute|taxa|multa|custa|`+
		`biaya|denda|phi|mat phi|رسوم|غرامة|ค่าธรรมเนียม|ค่าปรับ|手数料|料金|费用|手续费|违约金`,
		`cancel*|termination|terminating|early exit|exit|withdrawal|cancelacion|cancelar|stornierung|stornieren|storno|`+
			`kundigung|annulation|annuler|resiliation|cancelamento|cancelar|rescisoria|pembatalan|membatalkan|batal|huy|`+
			`anulo|anular|stornier*|batalin|batalkan|dibatalkan|ألغي|ألغيت|الغي|الغيت|`+
			`الإلغاء|الالغاء|إلغاء|ยกเลิก|キャンセル|解約|取消|退订`),
	anyOf(IntentCancellationFee, strong, `stornogebuhr*|stornierungsgebuhr*|stornokosten|kundigungsgebuhr*|early termination|`+
		`キャンセル料|解約金|違約金|取消费|退订费`),

	// get_refund
	anyOf(IntentRefund, strong, `refund*|reimburs*|money back|reembols*|estorno|rembours*|ruckerstatt*|erstatt*|`+
		`geld zuruck|dinero de vuelta|devuelvan mi dinero|devolver mi dinero|dinheiro de volta|hoan tien|tra lai tien|`+
		`pengembalian dana|dana kembali|dana saya kembali|uang kembali|uang saya kembali|`+
		`استرداد|استرجاع المبلغ|ترجع فلوس|فلوسي|คืนเงิน|เงินคืน|รีฟันด์|返金|払い戻し|退款|退钱|退錢`),
	anyOf(IntentRefund, medium, `compensat*|rebat*|restitu*|devolucion del dinero|gutschrift|avoir|get my money|want my money|`+
		`get the money|want the money`),
	// track_refund: a refund already asked for, and its progress.
	near(IntentTrackRefund, strong, 30, `waiting|wait|expect|expecting|awaiting|status|track*|where is|wheres|`+
		`when will|when do|when does|not received|havent received|hasnt arrived|havent got|didnt get|still no|`+
		`update on|updates on|news on|any news|progress|yet|still|processed|procesado|procesaron|processado|traite|`+
		`bearbeitet|unterwegs|diproses|xu ly|its been|isnt|not in my account|ya pasaron|ha pasado|no veo|no me ha llegado|`+
		`ja faz|nao caiu|nao recebi|seit|depuis|sudah|udah|chua thay|chua ve|estado|esperando|todavia|cuando|no he recibido|status|warte|wo bleibt|wann|noch nicht|`+
		`statut|ou en est|attends|quand|toujours pas|pas encore|cade|aguardando|esperando|quando|ainda nao|`+
		`belum|kapan|menunggu|tinh trang|chua nhan|khi nao|bao gio|dang cho`,
		`refund*|reimburs*|rebate*|restitution*|compensation*|money back|reembolso*|erstattung|ruckerstattung|`+
			`remboursement|estorno|reembolso|refund|dana|hoan tien|tien hoan|money|geld|mein geld|`+
			`استرداد|الاسترداد|คืนเงิน|เงินคืน|返金|退款`),
	near(IntentTrackRefund, strong, 40, `معالجة|تمت|ดำเนินการ|ยังไม่เห็น|処理|反映|处理|到账|看到|没看到`,
		`استرداد|الاسترداد|คืนเงิน|เงินคืน|返金|退款`),
	near(IntentTrackRefund, strong, 40, `وصلني|يصلني|وصل|يوصل|متى|أنتظر|انتظر|ما زلت`, `المسترد|الاسترداد|استرداد|فلوسي`),
	anyOf(IntentTrackRefund, strong, `返金が口座|口座に入って|入っていません|没到账|还没到账|未到账|حالة الاسترداد|متى يصل الاسترداد|متى سأسترد|لم يصل المبلغ|لم أستلم المبلغ|`+
		`สถานะการคืนเงิน|ยังไม่ได้รับเงินคืน|เงินคืนเมื่อไหร่|เมื่อไหร่จะได้เงินคืน|ยังไม่ได้เงินคืน|`+
		`返金状況|返金はいつ|返金がまだ|返金されていない|返金の状況|返金されません|`+
		`退款进度|退款状态|退款还没到|退款什么时候|还没收到退款|退款到哪|退款还没`),
	// check_refund_policy
	near(IntentRefundPolicy, strong, 30, `policy|policies|guarantee|cases|situations|circumstances|conditions|eligible|until|after days|within days|`+
		`dias despues|tage nach|jours apres|dias depois|hari setelah|ngay sau|still get|still ask|still request|`+
		`hasta cuando|hasta cuantos|bis wann|innerhalb|jusqu|jusqua|ate quantos|ate quando|sampai berapa|sampai kapan|`+
		`trong vong|bao nhieu ngay|خلال|كم يوم|นานแค่ไหน|กี่วัน|何日まで|何日以内|多久以内|几天内|以内|`+
		`rules|terms|how long|politica|casos|condiciones|cuanto tarda*|richtlinie*|bedingungen|wie lange|politique|`+
		`conditions|combien de temps|casos|quanto tempo|condicoes|kebijakan|syarat|berapa lama|chinh sach|dieu kien|`+
		`bao lau|سياسة|شروط|นโยบาย|เงื่อนไข|ใช้เวลากี่วัน|ポリシー|条件|規定|政策|规则|条件|要多久`,
		refundNouns+`|return|returns|devolucion*|ruckgabe|retour|devolucao|troca|pengembalian|doi tra|الإرجاع|คืนสินค้า|返品|退货`),
	anyOf(IntentRefundPolicy, strong, `reimbursable|refundable|eligible for a refund|return policy|returns policy|money back guarantee|ruckgaberecht|widerrufsrecht|`+
		`erstattungsrichtlinie*|politica de devolucion*|politica de reembolso*|politique de retour|politique de remboursement|`+
		`politica de devolucao|politica de troca|politica de reembolso|kebijakan pengembalian|chinh sach doi tra|`+
		`chinh sach hoan tien|سياسة الإرجاع|سياسة الاسترداد|นโยบายการคืนเงิน|นโยบายคืนสินค้า|返品ポリシー|返金ポリシー|`+
		`退货政策|退款政策`),
	// return_item: sending the goods back (the refund may follow).
	anyOf(IntentReturn, strong, `return the|return this|return my|return an|return a|return it|return them|return these|`+
		`return item*|return product*|return order|return label|returning|send back|send it back|send them back|`+
		`devolver|devolucion|devolverlo|devolverla|devolverlas|devolverlos|devuelvo|devolvo|devolve-lo|zurucksenden|zuruckschicken|zuruckgeben|retoure|rucksendung|ruckgabe|`+
		`retourner|renvoyer|retour dun article|retour produit|devolver|devolucao|retur|kembalikan barang|`+
		`mengembalikan barang|tra hang|doi tra|tra lai hang|gui tra|إرجاع|ارجاع|ترجيع|أرجع|ارجع المنتج|`+
		`คืนสินค้า|ส่งคืน|ส่งสินค้าคืน|返品|送り返|退货|退貨|退回`),
	then(IntentReturn, strong, 40, `sende|schicke|schicken|senden|gebe|geben`, `zuruck`),
	anyOf(IntentReturn, strong, `kembalikan|mengembalikan|balikin|怎么退|退回去|能退吗|可以退吗|想退|返品したい`),
	anyOf(IntentReturn, medium, `exchange|swap it|umtauschen|umtausch|echanger|echange|cambiar por otr*|trocar por|tukar|`+
		`doi sang|استبدال|เปลี่ยนสินค้า|交換|换货|換貨`),

	// track_order
	anyOf(IntentTrack, strong, `track|tracking|rastrear|rastreo|rastreio|rastreamento|seguimiento|sendungsverfolgung|suivi|lacak|`+
		`resi|theo doi don|ma van don|no ha llegado|no me ha llegado|no me llego|nao chegou|nicht angekommen|`+
		`noch nicht da|noch nicht angekommen|noch nicht erhalten|pas recu|pas encore recu|pas arrive|pas encore arrive|`+
		`belum sampai|belum datang|belum nyampe|belum diterima|belum terima|chua nhan|chua toi|chua giao|chua den|`+
		`hasnt arrived|has not arrived|never arrived|didnt arrive|did not arrive|not arrived|never came|hasnt come|`+
		`not received|never received|`+
		`أين طلبي|وين طلبي|وين الطلب|تتبع|لم يصل|ما وصل|لم أستلم|อยู่ไหน|อยู่ที่ไหน|ยังไม่ได้รับ|ถึงไหน|เลขพัสดุ|ติดตาม|`+
		`届かない|届きません|届いていない|まだ届|追跡|配送状況|到哪|在哪|物流|没收到|還沒收到|还没到|查一下订单|查询订单`),
	then(IntentTrack, strong, 20, `where|wheres|where is|where are|donde|onde|cade|wo|ou|dimana|di mana`, orderNouns),
	then(IntentTrack, strong, 20, `havent|have not|didnt|did not|not yet`, `got|get|received|receive`),
	// "Hallo, was ist mit meiner Bestellung …?", "what's going on with my order?"
	then(IntentTrack, strong, 25, `what about|whats going on with|whats happening with|whats up with|was ist mit|`+
		`was ist los mit|wie sieht es mit|que pasa con|que paso con|quen est il de|ou en est|o que houve com|`+
		`o que aconteceu com|como esta|gimana|bagaimana`, orderNouns),
	// "Why is GB-10001 stuck?": a parcel that does not move.
	anyOf(IntentTrack, medium, `stuck|held up|not moving|steckt fest|hangt fest|bewegt sich nicht|atascado|retenido|`+
		`bloque|bloquee|coince|coincee|parado|retido|tertahan|nyangkut|ket lai|bi giu|عالق|متوقف|ติดอยู่|ค้างอยู่|`+
		`止まって|止まっている|卡住|卡在`),
	anyOf(IntentTrack, medium, `locate|whereabouts|eta|estimated time of arrival|shipped|dispatched|enviado|enviaron|`+
		`verschickt|versandt|expedie|dikirim|حالة الطلب|สถานะ|発送され|发货了吗|発货了吗|状況`),
	near(IntentTrack, medium, 25, `status|estado|statut|stand|tinh trang`, `order|pedido|commande|bestellung|pesanan|`+
		`don hang|purchase|compra|encomenda|envio|paquete|pacote|sendung|paket|colis|kien hang|package|parcel|shipment`),

	// delivery_period
	anyOf(IntentDelivery, strong, `how long|how many days|how soon|how quickly|delivery time*|shipping time*|transit time*|`+
		`delivery period*|shipping period*|shipment period*|delivery timeframe*|cuanto tarda*|cuanto demora*|cuanto tiempo|quanto demora*|cuantos dias|plazo de entrega|`+
		`tiempo de entrega|quanto tempo|prazo de entrega|quantos dias|wie lange|lieferzeit*|versanddauer|wie schnell|`+
		`combien de temps|combien de jours|delai de livraison|delais de livraison|delai dexpedition|bao lau|may ngay|`+
		`thoi gian giao|thoi gian van chuyen|berapa lama|berapa hari|estimasi pengiriman|lama pengiriman|`+
		`كم يوم|كم يستغرق|مدة التوصيل|مدة الشحن|กี่วัน|นานไหม|ระยะเวลาจัดส่ง|何日|どのくらい|日数|多久|几天|幾天|多长时间|多長時間`),
	then(IntentDelivery, medium, 30, `when|cuando|quando|wann|quand|kapan|khi nao`, `arrive|delivered|get here|get it|`+
		`receive|deliver|expect|llega|llegara|chega|chegar|kommt|ankommen|recevoir|arrivera|sampai|tiba|nhan|toi`),
	anyOf(IntentDelivery, medium, `متى يوصل|متى يصل|เมื่อไหร่จะได้|จะได้เมื่อไหร่|いつ届|什么时候到|什麼時候到`),
	// delivery_options
	anyOf(IntentDeliveryOptions, strong, `shipping option*|delivery option*|shipping method*|delivery method*|`+
		`methods for delivery|ways to ship|do you ship|do you deliver|do you send|can you ship|can you deliver|`+
		`ship internationally|international shipping|express shipping|express delivery|standard shipping|pickup point|`+
		`store pickup|pick up in store|collect in store|opciones de envio|metodos de envio|formas de envio|envian a|`+
		`hacen envios|envio express|recoger en tienda|versandoption*|versandart*|liefermoglichkeit*|liefert ihr|`+
		`versendet ihr|expressversand|abholung|options de livraison|modes de livraison|mode de livraison|livrez vous|`+
		`vous livrez|livraison express|point relais|opcoes de entrega|formas de envio|formas de entrega|metodos de envio|`+
		`entregam em|entregam no|enviam para|frete expresso|retirar na loja|opsi pengiriman|metode pengiriman|`+
		`jasa pengiriman|pilihan pengiriman|kurir apa|bisa kirim ke|kirim ke luar negeri|ekspedisi apa|`+
		`phuong thuc giao hang|hinh thuc giao hang|hinh thuc van chuyen|co giao den|co giao hang|co ship|`+
		`خيارات الشحن|طرق الشحن|طرق التوصيل|هل تشحنون|هل توصلون|تشحنون إلى|วิธีการจัดส่ง|ตัวเลือกการจัดส่ง|`+
		`ส่งต่างประเทศ|ส่งไปต่างประเทศ|配送方法|配送オプション|発送方法|海外発送|お届け方法|配送方式|快递方式|运送方式|`+
		`能寄到|发货到|寄到|可以寄`),
	anyOf(IntentDeliveryOptions, strong, `pickup point|pick up point|pickup locker|parcel locker|locker|packstation|`+
		`paketshop|punto de recogida|punto de entrega|ponto de coleta|ponto de retirada|point relais|point retrait|`+
		`titik penjemputan|titik ambil|diem giao nhan|diem nhan hang|نقطة استلام|نقطة الاستلام|จุดรับพัสดุ|จุดรับสินค้า|`+
		`コンビニ受け取り|店舗受け取り|受け取り場所|自提点|自提|快递柜|next day delivery|same day delivery|next day|same day|overnight|express|`+
		`dia siguiente|mismo dia|nachsten tag|am selben tag|le lendemain|jour meme|mesmo dia|dia seguinte|hari yang sama|`+
		`besok sampai|giao trong ngay|ngay hom sau|ส่งด่วน|当日配送|翌日配送|お急ぎ便|次日达|当日达|加急`),
	near(IntentDeliveryOptions, strong, 20, `option*|method*|modes|ways|carrier*|opcion*|metodo*|formas|optionen|`+
		`moglichkeit*|arten|modes|mode|opcoes|opsi|metode|pilihan|phuong thuc|hinh thuc|خيارات|طرق|ตัวเลือก|วิธี|方法|方式`,
		`shipping|shipment|shipments|delivery|deliveries|envio|entrega|versand|liefer*|livraison|expedition|pengiriman|`+
			`giao hang|van chuyen|الشحن|التوصيل|จัดส่ง|配送|発送|发货|快递|配送`),
	anyOf(IntentDeliveryOptions, strong, `deliveries to|shipments to|shipment to|shipping to|delivery to|deliver to|`+
		`ship to|order from|do u deliver|do u ship`),
	anyOf(IntentDeliveryOptions, medium, `send to|envio a|envios a|`+
		`liefern nach|versand nach|livraison en|livraison au|entrega em|envio para|kirim ke|giao den|ship den`),

	// payment_issue
	anyOf(IntentPayment, strong, `charged twice|double charged|double charge|card was declined|card declined|card got declined|`+
		`card rejected|card was rejected|payment failed|payment declined|payment rejected|payment error*|payment issue*|`+
		`payment problem*|cant pay|cannot pay|unable to pay|cobrado dos veces|cobrada dos veces|cargo doble|me cobraron|`+
		`tarjeta rechazada|rechazaron la tarjeta|no me deja pagar|pago rechazado|pago fallido|pago no pasa|`+
		`cobrado duas vezes|cobrada duas vezes|cartao recusado|cartao foi recusado|pagamento nao|pagamento recusado|`+
		`pagamento falhou|doppelt abgebucht|zahlung fehlgeschlagen|zahlung abgelehnt|zahlung geht nicht|`+
		`zahlung funktioniert nicht|karte abgelehnt|karte wurde abgelehnt|paiement echoue|paiement a echoue|`+
		`paiement refuse|paiement ne passe pas|carte refusee|carte a ete refusee|debite deux fois|double prelevement|`+
		`thanh toan khong duoc|thanh toan bi loi|thanh toan that bai|thanh toan loi|bi tru tien|pembayaran gagal|`+
		`pembayaran saya gagal|pembayaran tidak masuk|pembayaran error|gagal bayar|tidak bisa bayar|terpotong|`+
		`فشل الدفع|مشكلة في الدفع|خصم مرتين|مرفوض|ชำระเงินไม่ได้|จ่ายเงินไม่|ตัดเงิน|บัตรถูกปฏิเสธ|`+
		`支払いができ|支払えない|決済エラー|二重に請求|二重に引き落と|カードが使え|付款失败|支付失败|付不了|扣了两次|重复扣款|支付不了`),
	near(IntentPayment, strong, 20, problemWords, `payment*|paying|pagar|pago|pagamento|zahlung|bezahlen|paiement|payer|`+
		`thanh toan|pembayaran|bayar|transfer*|الدفع|ชำระเงิน|支払|決済|付款|支付`),
	anyOf(IntentPayment, weak, `payment|pay|paying|paid|pago|pagar|pagamento|zahlung|bezahl*|paiement|payer|thanh toan|`+
		`pembayaran|bayar|paypal|checkout|الدفع|ชำระเงิน|支払|決済|付款|支付`),
	// check_payment_methods
	anyOf(IntentPaymentMethods, strong, `payment method*|payment option*|payment modalit*|payment type*|ways to pay|`+
		`ways of paying|how can i pay|how do i pay|can i pay|pay with|pay by|pay using|do you accept|do you take|`+
		`accepted payment*|which cards|what cards|metodos de pago|formas de pago|medios de pago|puedo pagar|aceptan|`+
		`que tarjetas|zahlungsmethode*|zahlungsart*|zahlungsmoglichkeit*|kann ich mit|akzeptiert ihr|akzeptieren sie|`+
		`nehmt ihr|moyens de paiement|modes de paiement|moyen de paiement|puis je payer|acceptez vous|`+
		`formas de pagamento|metodos de pagamento|meios de pagamento|posso pagar|aceitam|pix|boleto|parcelar|`+
		`metode pembayaran|cara pembayaran|cara bayar|bisa bayar|bisa pakai|terima pembayaran|phuong thuc thanh toan|`+
		`hinh thuc thanh toan|co nhan thanh toan|طرق الدفع|وسائل الدفع|هل تقبلون|طريقة الدفع|`+
		`ช่องทางการชำระเงิน|วิธีชำระเงิน|วิธีการชำระเงิน|จ่ายด้วย|รับบัตร|支払い方法|決済方法|お支払い方法|支払方法|`+
		`支付方式|付款方式|可以用|支持什么支付|能用`),
	anyOf(IntentPaymentMethods, medium, `klarna|bizum|paypal|apple pay|google pay|gopay|ovo|shopeepay|momo|zalopay|`+
		`vnpay|truemoney|promptpay|paypay|alipay|wechat pay|mada|stc pay|tabby|tamara|ideal|sofort|giropay|bancontact|`+
		`sepa|auf rechnung|kauf auf rechnung|do u take|do u accept|pagar con|zahlen mit|payer avec|payer par|pagar com|`+
		`bayar pakai|bayar pake|bayar dengan|bayar lewat|thanh toan qua|จ่ายผ่าน|พร้อมเพย์|مدى|楽天ペイ|で払え|で支払え|`+
		`使えますか|支付宝|微信支付|银联|云闪付`),
	// cod_question: cash on delivery, a payment method with its own rules.
	anyOf(IntentCOD, strong, `cash on delivery|cod|cash|in cash|en efectivo|efectivo|em dinheiro|tunai|เงินสด|pay on delivery|pay cash|pay in cash|pay at the door|pay when it arrives|`+
		`pay the courier|contra reembolso|contrareembolso|pago contra entrega|pagar al recibir|pago en efectivo|`+
		`pagar en efectivo|contra entrega|nachnahme|bei lieferung bezahlen|bei lieferung zahlen|barzahlung|bar bezahlen|`+
		`bar zahlen|paiement a la livraison|payer a la livraison|contre remboursement|en especes|pagamento na entrega|`+
		`pagar na entrega|dinheiro na entrega|pagar em dinheiro|pagamento em dinheiro|bayar di tempat|bayar ditempat|`+
		`bayar tunai|bayar pas barang sampai|bayar saat barang sampai|thanh toan khi nhan hang|ship cod|tra tien mat|`+
		`tien mat|nhan hang roi tra tien|الدفع عند الاستلام|الدفع عند التوصيل|كاش|نقدا|نقداً|عند الاستلام|`+
		`เก็บเงินปลายทาง|จ่ายปลายทาง|ปลายทาง|代引き|代金引換|代引|着払い|現金|货到付款|到付|现金|貨到付款`),

	// complaint
	anyOf(IntentComplaint, strong, `complain*|complaint|reclamation|queja|reclamacion|reclamo|reclamacao|reclamar|procon|`+
		`beschwer*|plainte|khieu nai|phan nan|phan anh|komplain|keluhan|mengeluh|`+
		`شكوى|ร้องเรียน|苦情|クレーム|投诉|投訴`),
	then(IntentComplaint, strong, 30, `file|filing|lodge|lodging|make|making|submit|open`, `claim|claims`),
	anyOf(IntentComplaint, strong, `consumer claim*|customer claim*|claim against|claims against`),
	anyOf(IntentComplaint, medium, `unacceptable|terrible|awful|worst|disgusting|scam|rude|furious|outrageous|ridiculous|`+
		`inaceptable|pesimo|verguenza|estafa|indignante|absurdo|pessimo|inaceitavel|golpe|descaso|`+
		`frechheit|unverschamt|inakzeptabel|katastroph*|betrug|unhoflich|inadmissible|scandaleux|honteux|arnaque|nul|`+
		`qua te|te qua|te that|do te|lua dao|that vong|parah|kecewa|penipuan|payah|kasar|`+
		`غير مقبول|سيئ|زفت|نصب|احتيال|وقح|แย่|ผิดหวัง|รับไม่ได้|โกง|ひどい|最悪|詐欺|太差|失望|骗子|過分|过分`),
	// review: an opinion offered, not a grievance.
	anyOf(IntentReview, strong, `review*|feedback|rating|rate your|rate the|rate a|testimonial|opinion|resena*|valoracion|`+
		`valorar|calificar|bewertung*|bewerten|rezension|meinung|avis|evaluer|noter|avaliacao|avaliar|opiniao|resenha|`+
		`ulasan|penilaian|kasih bintang|beri rating|danh gia|nhan xet|gop y|تقييم|مراجعة|رأيي|ملاحظات|รีวิว|ให้คะแนน|`+
		`ความคิดเห็น|ติชม|レビュー|口コミ|評価|感想|ご意見|评价|评论|反馈|点评|好评|意见`),
	anyOf(IntentReview, medium, `comments|a comment|some comment*|comment for|comment about|comment on|`+
		`leave a comment|write a comment|comentario|kommentar|commentaire|comentario|komentar|binh luan|تعليق|คอมเมนต์|コメント|留言`),

	// accounts
	near(IntentCreateAccount, strong, 25, `create|creating|creation|open|opening|make|new|set up|setup|crear|abrir|nueva|`+
		`nuevo|erstellen|anlegen|eroffnen|neues|neue|creer|ouvrir|nouveau|criar|nova|novo|buat|membuat|bikin|baru|tao|`+
		`mo|moi|إنشاء|انشاء|فتح|جديد|สร้าง|เปิด|ใหม่|作成|作り|作る|開設|新規|创建|开通|開通|新建|建立|开个|开一个`, accountNouns),
	anyOf(IntentCreateAccount, strong, `become a member|become a customer|hacerme cliente|hacerme socio|ser cliente|`+
		`kunde werden|werde ich kunde|kunde bei euch|mitglied werden|devenir client|devenir membre|virar cliente|jadi member|jadi anggota|`+
		`tro thanh thanh vien|أصير عضو|اصير عضو|عضوية|เป็นสมาชิก|会員になる|成为会员|加入会员|注册会员|sign up|signup|register|registrarme|registrarse|registrieren|minscrire|sinscrire|`+
		`cadastrar|me cadastrar|daftar|mendaftar|dang ky|تسجيل حساب|สมัครสมาชิก|会員登録|新規登録|注册|註冊`),
	near(IntentRegistration, strong, 40, problemWords, registrationWords),
	near(IntentDeleteAccount, strong, 25, `delet*|remov*|close|closing|closure|cancel*|`+
		`terminat*|deactivat*|erase|get rid of|eliminar|borrar|cerrar|dar de baja|darme de baja|baja|cancelar|loschen|`+
		`schliessen|kundigen|deaktivieren|supprimer|suppression|fermer|cloturer|resilier|desactiver|excluir|exclusao|`+
		`apagar|encerrar|deletar|desativar|hapus|menghapus|tutup|menutup|nonaktifkan|xoa|huy|dong|حذف|إغلاق|اغلاق|`+
		`إلغاء|الغاء|ลบ|ปิด|ยกเลิก|削除|消したい|解約|注销|删除|刪除|註銷`, accountNouns),
	anyOf(IntentDeleteAccount, strong, `退会|注销`),
	near(IntentEditAccount, strong, 25, `edit|editing|update|updating|change|changing|modify|modifying|correct|correcting|`+
		`editar|actualizar|cambiar|modificar|corregir|andern|aktualisieren|bearbeiten|korrigieren|modifier|mettre a jour|`+
		`changer|corriger|alterar|atualizar|mudar|ubah|ganti|perbarui|update|sua|cap nhat|thay doi|تعديل|تغيير|تحديث|`+
		`แก้ไข|เปลี่ยน|อัปเดต|変更|編集|更新|修改|更改|编辑|更新`,
		`personal data|personal details|personal information|personal info|my details|my data|my info|details on|`+
			`data on|information on|info on|account details|profile|user data|my name|datos personales|mis datos|`+
			`perfil|personliche daten|meine daten|profil|mes informations|mes coordonnees|donnees personnelles|meus dados|`+
			`dados pessoais|cadastro|data pribadi|data diri|profil|thong tin ca nhan|ho so|بياناتي|البيانات الشخصية|`+
			`الملف الشخصي|ข้อมูลส่วนตัว|โปรไฟล์|登録情報|プロフィール|個人情報|会員情報|个人信息|个人资料|资料`),
	near(IntentEditAccount, medium, 25, `edit|editing|update|updating|modify|modifying|correct|correcting|editar|actualizar|`+
		`modificar|andern|bearbeiten|modifier|alterar|atualizar|ubah|perbarui|cap nhat|sua|تعديل|แก้ไข|編集|修改|编辑`, accountNouns),
	near(IntentEditAccount, strong, 25, `edit|update|change|changing|modify|correct|editar|actualizar|cambiar|modificar|`+
		`andern|aktualisieren|modifier|changer|alterar|atualizar|mudar|trocar|ubah|ganti|perbarui|doi|thay doi|sua|cap nhat|`+
		`تعديل|تغيير|تحديث|แก้ไข|เปลี่ยน|変更|変え|修改|更改|换`, `email|e mail|mail|correo|phone number|telephone|telefono|`+
		`telefon|handynummer|telephone|telefone|nomor hp|nomor telepon|so dien thoai|رقم الجوال|رقم الهاتف|เบอร์โทร|`+
		`電話番号|手机号|电话号码`),
	near(IntentSwitchAccount, strong, 35, `switch*|change to|changing to|move to|moving to|upgrade|downgrade|go back to|`+
		`use|using|use the|using the|use my other|passer sur|basculer sur|mudo pra|mudar pra|mudo para|ir pra|cambiar a|cambiarme a|pasar a|cambiar de cuenta|wechseln|umsteigen|passer au|`+
		`passer a|basculer|changer de compte|mudar para|trocar de conta|trocar para|alternar|pindah|beralih|ganti ke|`+
		`chuyen sang|chuyen|doi sang|التبديل|تبديل|التحويل إلى|สลับ|เปลี่ยนไปใช้|切り替|切换|切換|换到|换成`, accountNouns),
	anyOf(IntentPassword, strong, `password*|passwort|contrasena|mot de passe|senha|kata sandi|mat khau|pwd|pin|pin code|`+
		`passcode|كلمة المرور|كلمة السر|รหัสผ่าน|パスワード|密码|密碼`),
	anyOf(IntentPassword, strong, `account pass|profile pass|user pass|pass of my|the pass|my pass|forgotten pass|`+
		`access key|profile key|login key|pin code`),
	near(IntentPassword, medium, 25, `forgot|forgotten|lost|reset*|recover*|retriev*|restor*|olvide|vergessen|oublie|`+
		`esqueci|lupa|quen`, `key|pin|access|credentials|login|log in|acceso|zugang|acces|acesso|akses`),
	anyOf(IntentPassword, medium, `cant log in|cant login|cannot log in|cannot login|unable to log in|locked out|`+
		`no puedo iniciar sesion|no puedo entrar|kann mich nicht anmelden|kann mich nicht einloggen|`+
		`narrive pas a me connecter|nao consigo entrar|nao consigo fazer login|tidak bisa login|gak bisa login|`+
		`khong dang nhap duoc|لا أستطيع تسجيل الدخول|เข้าสู่ระบบไม่ได้|ล็อกอินไม่ได้|ログインできない|无法登录|登录不了|登不上`),
	// newsletter_subscription
	anyOf(IntentNewsletter, strong, `marketing email*|marketing mail*|advertising email*|correos de publicidad|publicidad|`+
		`werbemail*|werbung|werbe mails|mails publicitaires|publicitaire*|propaganda|email promosi|promosi|quang cao|`+
		`إعلانية|اعلانية|โฆษณา|広告メール|广告邮件|广告|newsletter*|mailing list|subscribe*|unsubscrib*|promotional email*|marketing email*|`+
		`boletin|suscrib*|desuscrib*|abonnieren|abbestellen|sabonner|se desabonner|desabonner|desinscrire|`+
		`assinar a newsletter|descadastrar|berlangganan|langganan|ban tin|nhan tin khuyen mai|`+
		`النشرة البريدية|النشرة الإخبارية|الاشتراك في النشرة|إلغاء الاشتراك|จดหมายข่าว|สมัครรับข่าวสาร|`+
		`ยกเลิกการรับข่าวสาร|ニュースレター|メルマガ|配信停止|订阅|退订|新闻简报|邮件订阅|電子報`),

	// invoices
	near(IntentGetInvoice, strong, 30, `get|getting|download*|receive|send|sent|email me|mail me|mail it|obtain|copy of|`+
		`request|issue|need an|need a|need the|need my|descargar|obtener|recibir|enviar*|mandar*|mandame|pedir|solicitar|`+
		`herunterladen|bekommen|erhalten|schicken|senden|zusenden|telecharger|obtenir|recevoir|envoyer|baixar|emitir|`+
		`receber|mandar|manda|segunda via|unduh|download|dapat|minta|kirim|tai ve|xuat|gui|brauche|benotige|il me faut|`+
		`besoin|necesito|preciso|perlu|butuh|company|firma|empresa|societe|perusahaan|cong ty|شركة|บริษัท|会社|公司|`+
		`a nombre de|au nom de|atas nama|em nome|تحميل|أحصل|احصل|إرسال|`+
		`ارسال|أرسلوا|ارسلوا|ขอ|ดาวน์โหลด|ส่ง|ダウンロード|発行|送って|欲しい|ほしい|もらえ|开具|下载|索取|发我|发给我|发到|开`,
		invoiceNouns),
	near(IntentCheckInvoice, strong, 30, `check*|see|seeing|view*|find*|locat*|look up|look at|look for|looking for|`+
		`quick look|show|display|consult|where is|`+
		`where are|ver|consultar|revisar|buscar|encontrar|donde esta|ansehen|einsehen|prufen|finden|anzeigen|wo ist|`+
		`voir|consulter|verifier|trouver|ou est|conferir|verificar|achar|cek|lihat|periksa|cari|xem|kiem tra|tim|`+
		`عرض|أرى|اشوف|التحقق|أين|ดู|ตรวจสอบ|เช็ค|確認|見たい|見る|見れ|查看|查询|查|看`, invoiceNouns),
	anyOf(IntentCheckInvoice, weak, invoiceNouns),
	anyOf(IntentGetInvoice, weak, invoiceNouns),

	// orders
	anyOf(IntentPlaceOrder, strong, `place an order|place the order|place a order|placing an order|make an order|`+
		`make a purchase|how to order|how do i order|how can i order|how to buy|how do i buy|how can i buy|`+
		`hacer un pedido|realizar un pedido|como compro|como comprar|eine bestellung aufgeben|wie bestelle ich|`+
		`passer commande|passer une commande|comment commander|fazer um pedido|fazer uma encomenda|como comprar|`+
		`cara pesan|cara beli|cara order|cara membeli|dat hang|cach mua|lam sao de mua|تقديم طلب|كيف أطلب|كيف اشتري|`+
		`อยากสั่งซื้อ|ต้องการสั่งซื้อ|สั่งซื้อยังไง|วิธีสั่งซื้อ|อยากซื้อ|注文したい|購入したい|買いたい|注文方法|`+
		`购买方法|想买|要买|怎么买|如何购买|我要下单|下单|怎么下单|想订购|如何订购`),
	near(IntentPlaceOrder, strong, 25, `how|como|wie|comment|gimana|cara|lam sao|كيف|どうやって|怎么|如何|怎样`,
		`buy|comprar|compro|kaufen|kaufe|acheter|achete|beli|membeli|mua|أشتري|اشتري|شراء|買え|買う|購入|买|购买`),
	anyOf(IntentPlaceOrder, strong, `order a|order an|order some|order something|order a few|order several|`+
		`ordering a|ordering some|make order|making order|acquire|shop a|shop some|shop something|shopping a|purchase a|`+
		`purchase an|purchase some|purchase several|do a purchase|ซื้อยังไง|ซื้อได้ยังไง|ซื้อได้ที่ไหน|อยากซื้อ|จะซื้อ`),
	anyOf(IntentPlaceOrder, medium, `buy|compro|buying|purchase some|purchase a|purchase the|purchasing|comprar|kaufen|`+
		`bestellen|acheter|commander|comprar|beli|membeli|pesan|memesan|mua|dat mua|شراء|أشتري|اشتري|أطلب|اطلب|`+
		`ซื้อ|購入|买|購買|订购`),
	near(IntentChangeOrder, strong, 30, `change|changing|modif*|edit|editing|update|updating|correct|correcting|`+
		`switch|switching|add|adding|remov*|delet*|swap*|replac*|add one more|dazunehmen|hinzu*|incluir|inclua|`+
		`ajouter|أضيف|اضيف|追加|再加|加一|cambiar|modificar|editar|anadir|agregar|quitar|andern|`+
		`bearbeiten|hinzufugen|entfernen|tauschen|modifier|changer|ajouter|retirer|alterar|mudar|trocar|adicionar|remover|`+
		`ubah|ganti|tambah|hapus|sua|thay doi|doi|them|bot|تعديل|تغيير|إضافة|اضافة|أغير|اغير|أعدل|اعدل|أبدل|ابدل|換|换|แก้ไข|เปลี่ยน|เพิ่ม|変更|変え|追加|`+
		`修改|更改|改|添加`, `order|purchase|article|articles|item|items|product|products|pedido|compra|articulo|producto|`+
		`bestellung|artikel|commande|article|encomenda|produto|pesanan|barang|don hang|san pham|الطلب|طلبي|للطلب|คำสั่งซื้อ|`+
		`ออเดอร์|注文|订单|訂單`),

	// shipping addresses
	near(IntentChangeAddress, strong, 30, `change|changing|changed|edit|editing|update|updating|modify|modifying|correct|`+
		`correcting|correction|wrong|fix|cambiar|cambio|modificar|corregir|actualizar|equivocada|incorrecta|andern|`+
		`anderung|aktualisieren|korrigieren|falsch|falsche|changer|modifier|corriger|mettre a jour|erronee|mauvaise|`+
		`mudar|alterar|trocar|corrigir|atualizar|errado|ubah|ganti|salah|perbarui|koreksi|doi|thay doi|sua|cap nhat|sai|`+
		`تغيير|تعديل|تصحيح|خطأ|غلط|أغير|اغير|عدلوا|أعدل|اعدل|غيروا|เปลี่ยน|แก้ไข|ผิด|変更|変え|間違|訂正|修改|更改|改|写错|错了`, addressNouns),
	near(IntentSetUpAddress, strong, 30, `set up|setup|set|setting|add|adding|enter|entering|submit|submitting|register|`+
		`save|saving|create|secondary|another|second|adicion*|agreg*|anad*|tambah*|menambah*|agregar|anadir|registrar|configurar|guardar|poner|hinzufugen|anlegen|`+
		`eingeben|hinterlegen|speichern|ajouter|enregistrer|saisir|configurer|cadastrar|adicionar|salvar|tambah|`+
		`menambahkan|atur|simpan|daftarkan|them|thiet lap|nhap|luu|إضافة|اضافة|إدخال|حفظ|เพิ่ม|ตั้ง|บันทึก|กรอก|`+
		`登録|追加|設定|添加|设置|新增|填写`, addressNouns),
	near(IntentSetUpAddress, medium, 20, `new|nueva|nuevo|neue|nouvelle|novo|nova|baru|moi|جديد|ใหม่|新しい|新的`, addressNouns),

	// taxes
	anyOf(IntentVAT, strong, `vat|value added tax|tax|taxes|duties|duty|customs|import tax|sales tax|gst|reverse charge|`+
		`iva|impuesto*|aduana|arancel*|mwst|mehrwertsteuer|umsatzsteuer|ust|steuer*|zoll*|einfuhrumsatzsteuer|tva|taxe*|`+
		`droits de douane|douane|imposto*|icms|taxa de importacao|alfandega|tributacao|tributos|ppn|pajak|bea cukai|`+
		`bea masuk|thue*|hai quan|ضريبة|الضريبة|القيمة المضافة|الجمارك|رسوم جمركية|ภาษีมูลค่าเพิ่ม|ภาษีนำเข้า|เสียภาษี|`+
		`ค่าภาษี|รวมภาษี|ภาษีศุลกากร|ศุลกากร|消費税|税込|税抜|関税|税金|增值税|税费|关税|含税|税`),

	// confirm / deny: mostly one or two words answering the agent's question.
	wholeMessage(IntentConfirm, strong, `yes|yes please|yes thanks|yes thank you|yeah|yep|yup|sure|sure thing|of course|`+
		`correct|thats right|thats correct|right|exactly|confirm|confirmed|i confirm|go ahead|please do|do it|ok|okay|okey|`+
		`oke|okie|ok please|alright|all right|sounds good|agreed|absolutely|affirmative|y|yes go ahead|yes that is right|`+
		`si|si por favor|si gracias|claro|correcto|de acuerdo|vale|dale|exacto|confirmo|adelante|por supuesto|esta bien|`+
		`si claro|si confirmo|perfecto|ja|ja bitte|jawohl|genau|richtig|stimmt|einverstanden|gerne|klar|bestatigt|`+
		`ich bestatige|in ordnung|passt|mach das|ja genau|ja gerne|oui|oui merci|oui sil vous plait|oui svp|daccord|`+
		`exactement|cest ca|cest correct|je confirme|bien sur|allez y|ouais|oui cest ca|parfait|sim|sim por favor|`+
		`isso|isso mesmo|correto|certo|confirmo|pode|pode sim|pode ser|com certeza|beleza|ta bom|ta|sim pode|perfeito|`+
		`vang|co|da|dung|dung roi|dong y|duoc|xac nhan|vang a|co a|da vang|u|ya|iya|iya benar|betul|benar|boleh|`+
		`setuju|siap|yap|konfirmasi|lanjut|lanjutkan|ya benar|ya betul|iya kak|ya kak|`+
		`نعم|أجل|اجل|ايوه|أيوه|ايوة|صحيح|تمام|موافق|أكيد|اكيد|حسنا|حسناً|طيب|بلى|نعم من فضلك|نعم صحيح|`+
		`ใช่|ใช่ค่ะ|ใช่ครับ|ค่ะ|ครับ|ได้|ได้เลย|ได้ค่ะ|ได้ครับ|ตกลง|โอเค|ยืนยัน|ถูกต้อง|เอา|ตามนั้น|ตามนั้นเลย|صح|`+
		`はい|ええ|うん|そうです|お願いします|はいお願いします|はい お願いします|確認します|いいです|オッケー|了解|了解です|`+
		`わかりました|それでお願いします|はいそうです|是|是的|好|好的|对|对的|可以|确认|没问题|没错|行|嗯|好吧|確認|對`),
	startsWith(IntentConfirm, medium, `yes|yeah|yep|si|ja|oui|sim|vang|iya|ya|نعم|ใช่|はい|是的|好的`),
	wholeMessage(IntentDeny, strong, `no|nope|nah|no thanks|no thank you|not really|dont|do not|never mind|nevermind|`+
		`no way|not now|no please dont|incorrect|thats wrong|wrong|no gracias|para nada|negativo|no es correcto|`+
		`incorrecto|todavia no|nein|nee|ne|nein danke|lieber nicht|falsch|stimmt nicht|auf keinen fall|non|non merci|`+
		`pas du tout|surtout pas|cest faux|pas maintenant|nao|nao obrigado|nao obrigada|de jeito nenhum|errado|`+
		`nao e isso|agora nao|khong|khong a|khong can|khong phai|sai roi|thoi|khong dau|tidak|nggak|gak|enggak|ga|`+
		`bukan|jangan|tidak usah|gak usah|nggak usah|salah|tidak terima kasih|`+
		`لا|لأ|كلا|لا شكرا|لا شكراً|مش|غلط|لا أريد|لا اريد|ไม่|ไม่ใช่|ไม่ค่ะ|ไม่ครับ|ไม่เอา|ไม่ต้อง|ผิด|ไม่ใช่ค่ะ|ไม่ใช่ครับ|`+
		`いいえ|いや|いえ|違います|ちがいます|結構です|けっこうです|やめて|ううん|いいえ結構です|そのままで結構です|`+
		`不|不是|不要|不用|不用了|不了|不对|没有|算了|否|不用谢谢`),
	startsWith(IntentDeny, medium, `no|nope|nein|non|nao|khong|tidak|bukan|لا|いいえ`),
	anyOf(IntentDeny, medium, `leave it|keep it as it is|asi esta bien|esta bien asi|dejalo asi|deja asi|lass es so|`+
		`laissez comme ca|laisse comme ca|deixa como esta|deixa assim|biarin aja|biarkan saja|de vay di|خليه|ปล่อยไว้|`+
		`そのままで|保持原样|就这样吧`),

	// Requests nobody serves yet (product questions: sizes, stock, discounts, warranty):
	// they must not be mistaken for the nearest intent that is served.
	anyOf(IntentUnknown, medium, `size|sizes|stock|in stock|discount*|coupon*|voucher*|promo code|warranty|`+
		`talla|cupon|descuento|grosse|gutschein|rabatt|garantie|taille|code promo|tamanho|cupom|desconto|garantia|`+
		`ukuran|kode promo|diskon|garansi|ma giam gia|bao hanh|size|مقاس|كود خصم|خصم|ضمان|ไซซ์|โค้ดส่วนลด|ส่วนลด|`+
		`รับประกัน|サイズ|クーポン|在庫|保証|尺码|优惠券|库存|保修|折扣`),

	// greeting / thanks / goodbye: light, so that "hi, where is my order" stays track_order.
	startsWith(IntentGreeting, medium, `hello|hi|hey|hiya|good morning|good afternoon|good evening|hola|buenas|`+
		`buenos dias|buenas tardes|buenas noches|hallo|guten tag|guten morgen|guten abend|moin|servus|bonjour|bonsoir|`+
		`salut|coucou|ola|oi|bom dia|boa tarde|boa noite|xin chao|chao|alo|halo|hai|selamat pagi|selamat siang|`+
		`selamat sore|selamat malam|مرحبا|السلام عليكم|أهلا|اهلا|هلا|صباح الخير|مساء الخير|สวัสดี|หวัดดี|こんにちは|`+
		`おはよう|こんばんは|你好|您好|在吗|哈喽`),
	anyOf(IntentThanks, medium, `thanks|thank|thank you|thx|ty|gracias|danke|merci|obrigado|obrigada|valeu|cam on|`+
		`terima kasih|makasih|شكرا|مشكور|ขอบคุณ|ขอบใจ|ありがとう|谢谢|謝謝|多谢|感谢|感謝`),
	anyOf(IntentGoodbye, medium, `bye|goodbye|see you|see ya|adios|hasta luego|hasta pronto|chao|chau|tschuss|`+
		`auf wiedersehen|au revoir|a bientot|tchau|ate logo|ate mais|tam biet|sampai jumpa|dadah|`+
		`مع السلامة|إلى اللقاء|ลาก่อน|บาย|さようなら|失礼します|再见|拜拜`),
}

// orderMention finds a mention of an order or parcel.
var orderMention = terms(orderNouns + `|don|ma don`)

// intentIDs gives the index of every intent in Intents().
var intentIDs = func() map[string]int {
	ids := make(map[string]int)
	for i, name := range Intents() {
		ids[name] = i
	}
	return ids
}()

// intentID returns the index of a known intent; it panics on a typo in the rule table.
func intentID(name string) int {
	id, ok := intentIDs[name]
	if !ok {
		panic("offline: rule for unknown intent " + name)
	}
	return id
}

// socialIntents are the small-talk intents that a substantive request in the same message
// overrides; confirm and deny count among them ("yes, and where is my order?").
var socialIntents = map[string]bool{IntentGreeting: true, IntentThanks: true, IntentGoodbye: true,
	IntentConfirm: true, IntentDeny: true}

// specific intents take the words of a more general one: "cancel my account" is not
// cancel_order, "cancellation fee" is not either, "contra reembolso" is no refund. When
// the specific intent scores strong, the general ones keep a hint at most.
var specific = []struct {
	intent  string
	general []string
	// from is the specific intent's score from which it applies; below strong, the general
	// intents are capped even when they score higher ("customer service is a joke").
	from float64
}{
	{IntentDeleteAccount, []string{IntentCancel, IntentCreateAccount, IntentEditAccount, IntentSwitchAccount, IntentChangeOrder}, strong},
	{IntentNewsletter, []string{IntentCancel, IntentCreateAccount, IntentDeleteAccount}, strong},
	{IntentCancellationFee, []string{IntentCancel}, strong},
	{IntentTrackRefund, []string{IntentRefund, IntentTrack, IntentDelivery}, strong},
	{IntentRefundPolicy, []string{IntentRefund, IntentReturn, IntentDelivery}, strong},
	{IntentCOD, []string{IntentRefund, IntentPayment, IntentPaymentMethods, IntentDeliveryOptions}, strong},
	{IntentPaymentMethods, []string{IntentPayment, IntentCheckInvoice, IntentGetInvoice}, strong},
	{IntentRegistration, []string{IntentCreateAccount}, weak},
	{IntentSwitchAccount, []string{IntentEditAccount, IntentChangeOrder}, strong},
	{IntentPassword, []string{IntentEditAccount, IntentCreateAccount}, strong},
	{IntentChangeAddress, []string{IntentChangeOrder, IntentEditAccount}, strong},
	{IntentSetUpAddress, []string{IntentChangeOrder, IntentEditAccount}, strong},
	{IntentGetInvoice, []string{IntentTrack, IntentPlaceOrder}, strong},
	{IntentCheckInvoice, []string{IntentTrack, IntentPlaceOrder}, strong},
	{IntentCreateAccount, []string{IntentPlaceOrder}, strong},
	{IntentChangeOrder, []string{IntentPlaceOrder}, strong},
	{IntentReturn, []string{IntentChangeOrder}, strong},
	{IntentReview, []string{IntentSetUpAddress, IntentChangeAddress}, strong},
	{IntentDelivery, []string{IntentDeliveryOptions}, strong},
	{IntentDeliveryOptions, []string{IntentPlaceOrder}, strong},
	// "customer service is a joke": a complaint about the service, not a request for it.
	{IntentComplaint, []string{IntentService, IntentPlaceOrder, IntentReview}, medium},
}

// ruleWeights holds the rule score of every intent, indexed like Intents().
type ruleWeights []float64

func (w ruleWeights) of(intent string) float64 { return w[intentIDs[intent]] }

func (w ruleWeights) capAt(intent string, c float64) {
	id := intentIDs[intent]
	w[id] = min(w[id], c)
}

// ruleScores adds the weight of every matching rule to its intent, up to maxRuleScore.
func ruleScores(m matchText) ruleWeights {
	scores := make(ruleWeights, len(intentIDs))
	for i := range rules {
		r := &rules[i]
		if r.matches(m) {
			scores[r.intent] = min(maxRuleScore, scores[r.intent]+r.weight)
		}
	}
	// "Change my e-mail address" is about the account, not about a shipping address.
	if containsAny(m, emailAddressTerms) {
		scores.capAt(IntentChangeAddress, weak)
		scores.capAt(IntentSetUpAddress, weak)
	}
	for _, s := range specific {
		top := scores.of(s.intent)
		if top < s.from {
			continue
		}
		for _, g := range s.general {
			if w := scores.of(g); w > weak && (w <= top || s.from < strong) {
				scores.capAt(g, weak)
			}
		}
	}
	// Product questions with an order verb ("cancel the discount?"): unless an order is
	// mentioned, the verb alone is only a hint.
	if scores.of(IntentUnknown) > 0 && !mentionsOrder(m) {
		for _, in := range []string{IntentCancel, IntentPayment, IntentTrack} {
			scores.capAt(in, weak)
		}
	}
	// "How long does a refund take?" is about the refund, not about delivery times.
	if scores.of(IntentRefund) >= strong {
		scores.capAt(IntentDelivery, weak)
	}
	return scores
}

// emailAddressTerms name an e-mail address, which is no shipping address.
var emailAddressTerms = terms(`email address|e mail address|mail address|alamat email|alamat e mail|dia chi email|` +
	`adresse email|adresse e mail|adresse mail|direccion de correo|direccion de email|endereco de email|` +
	`endereco de e mail|emailadresse|e mail adresse|mailadresse|عنوان البريد|ที่อยู่อีเมล|メールアドレス|邮箱地址|电子邮件地址|邮件地址`)

func mentionsOrder(m matchText) bool { return containsAny(m, orderMention) }

// latinIndex indexes every latin term of the rules and of the lists above.
var latinIndex = func() termIndex {
	lists := [][]term{orderMention, emailAddressTerms}
	for i := range rules {
		lists = append(lists, rules[i].terms, rules[i].near)
	}
	return newTermIndex(lists...)
}()

// prepareRules prepares a folded message for ruleScores.
func prepareRules(folded string) matchText {
	m := prepareMatch(folded)
	latinIndex.lookUp(&m)
	return m
}

// containsAny reports whether one of list occurs in m.
func containsAny(m matchText, list []term) bool {
	for i := range list {
		t := &list[i]
		found := false
		t.find(m, func(int, int) bool { found = true; return false })
		if found {
			return true
		}
	}
	return false
}

// StartsWithAnswer reads how a message begins: IntentConfirm for a yes ("Yes, please cancel
// it", "Ja, bitte stornieren"), IntentDeny for a no, "" for neither or both. Analyze lets a
// request in the same message outweigh a yes ("yes, and where is my order?"); a dialog that
// asked a yes-or-no question about that very request reads the yes with this.
func StartsWithAnswer(text string) string {
	m := prepareRules(hashembed.Normalize(text))
	var yes, no bool
	for i := range rules {
		r := &rules[i]
		if r.anchor != atStart && r.anchor != onlyOf {
			continue
		}
		switch r.intent {
		case intentIDs[IntentConfirm]:
			yes = yes || r.matches(m)
		case intentIDs[IntentDeny]:
			no = no || r.matches(m)
		}
	}
	switch {
	case yes && !no:
		return IntentConfirm
	case no && !yes:
		return IntentDeny
	}
	return ""
}
