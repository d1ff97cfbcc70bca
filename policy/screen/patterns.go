package screen

import (
	"regexp"
	"strings"
)

// rule is one compiled signal over folded text.
type rule struct {
	code   string
	weight float64
	re     *regexp.Regexp
}

// rx compiles a pattern written over folded text (lower case, no
// diacritics; Arabic alef forms folded to ا). A space in the pattern
// matches one or more spaces or newlines.
func rx(p string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(foldLiterals(p), " ", `\s+`))
}

// foldLiterals folds the non-ASCII characters of a pattern the way fold
// folds text, so patterns can be written in natural spelling.
func foldLiterals(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		b.WriteString(fold(string(r)).s)
	}
	return b.String()
}

// alt joins alternatives into a non-capturing group.
func alt(xs ...string) string { return "(?:" + strings.Join(xs, "|") + ")" }

// Signal codes reported in Reason.Code.
const (
	CodeIgnoreInstructions  = "ignore_instructions"
	CodeRolePlaySystem      = "role_play_system"
	CodeRevealPrompt        = "reveal_prompt"
	CodeToolForcing         = "tool_forcing"
	CodeIdentityClaim       = "identity_claim"
	CodeDelimiterSmuggling  = "delimiter_smuggling"
	CodeEncodedPayload      = "encoded_payload"
	CodeInvisibleCharacters = "invisible_characters"
	CodeHomoglyphs          = "homoglyphs"
	CodeRepetition          = "repetition"
	CodeProfanity           = "profanity"
	CodeThreat              = "threat"
	CodeHarassment          = "harassment"
)

var (
	enOverrideVerb = alt("ignore", "disregard", "forget", "override", "bypass", "skip", "drop", "discard", "abandon", "neglect", "set aside", "stop following", "do not follow", "don't follow", "dont follow", "no longer follow", "pay no attention to", "throw away", "erase", "delete", "clear", "reset")
	enRuleNoun     = alt("instructions?", "rules?", "prompts?", "directions?", "directives?", "guidelines?", "commands?", "programming", "constraints?", "polic(?:y|ies)", "guardrails?", "restrictions?", "system message", "training", "context", "safety settings?", "orders you (?:were|have been) given")
	enRuleMod      = alt("previous", "prior", "above", "earlier", "preceding", "original", "initial", "former", "old", "existing", "system", "developer", "safety", "default", "hidden", "current", "given", "all", "any", "every", "your", "the", "these", "those", "that", "this", "of")

	injectionRules = []rule{
		// Instruction override, 11 languages.
		{CodeIgnoreInstructions, 0.9, rx(`\b` + enOverrideVerb + ` (?:` + enRuleMod + ` ){1,4}` + enRuleNoun + `\b`)},
		{CodeIgnoreInstructions, 0.9, rx(`\b` + enOverrideVerb + ` (?:everything|all|anything) (?:(?:you (?:were|have been) (?:told|given|instructed))|(?:above|before|prior|so far|previously|up to now|you know|in your prompt))`)},
		{CodeIgnoreInstructions, 0.8, rx(`\b(?:new|updated|revised|real|actual|true|override|priority|admin) (?:system )?(?:instructions?|rules|prompt|directives?)\s*:`)},
		{CodeIgnoreInstructions, 0.8, rx(`(?:\b(?:nuevas instrucciones|neue anweisungen|neue regeln|nouvelles instructions|nouvelles consignes|novas instrucoes|novas regras|instruksi baru|aturan baru|huong dan moi|chi thi moi)|تعليمات جديدة|คำสั่งใหม่|新しい指示|新しいルール|新指令|新的指令|新规则|新規則)\s*[:：]`)},
		{CodeIgnoreInstructions, 0.8, rx(`(?:ルール|制約|指示|命令|設定)(?:を|は)(?:すべて|全て|全部)無視|(?:安全|セキュリティ)(?:のため)?の(?:制約|ルール|設定)を無視|(?:制約|ルール)を無視して(?:ください|下さい|くれ)`)},
		{CodeIgnoreInstructions, 0.9, rx(`\b(?:ignora|ignore|ignorad|ignoren|olvida|olvide|olvidad|omite|omita|descarta|descarte|desestima|haz caso omiso (?:a|de)) (?:(?:todas|todo|cualquier|de|a|las|los|tus|sus|el|lo) ){0,3}(?:instrucciones|reglas|indicaciones|directrices|ordenes|normas|restricciones|prompt|lo que te (?:dijeron|han dicho))`)},
		{CodeIgnoreInstructions, 0.9, rx(`\b(?:ignoriere|ignorier|ignorieren sie|vergiss|vergessen sie|missachte|missachten sie|uberschreibe|verwirf) (?:(?:alle|samtliche|deine|ihre|die|den|das|bisherigen|vorherigen|vorigen|obigen|fruheren|ursprunglichen|system|bis|jetzt|geltenden) ){0,4}(?:anweisungen|regeln|instruktionen|vorgaben|befehle|richtlinien|systemanweisungen|einschrankungen|systemprompt|anweisung)`)},
		{CodeIgnoreInstructions, 0.9, rx(`\b(?:alle|bisherigen|vorherigen|obigen|deine) (?:\S+ )?(?:anweisungen|regeln|vorgaben) (?:\S+ ){0,2}(?:ignorieren|vergessen|missachten)`)},
		{CodeIgnoreInstructions, 0.9, rx(`\b(?:ignore|ignorez|ignores|oublie|oubliez|ne tiens pas compte|ne tenez pas compte|fais abstraction|faites abstraction|laisse tomber|passe outre|outrepasse) (?:(?:toutes|tous|de|des|les|tes|vos|ces|d'|la|le) ){0,3}(?:instructions|consignes|regles|directives|ordres|restrictions|prompt)`)},
		{CodeIgnoreInstructions, 0.9, rx(`\b(?:ignore|ignora|ignorem|esqueca|esqueça|esquece|desconsidere|desconsidera|descarte|despreze|deixe de lado) (?:(?:todas|todos|as|os|suas|tuas|seus|quaisquer|de) ){0,3}(?:instrucoes|regras|orientacoes|diretrizes|ordens|restricoes|comandos|prompt)`)},
		{CodeIgnoreInstructions, 0.9, rx(`\b(?:abaikan|lupakan|acuhkan|jangan hiraukan|jangan ikuti|tinggalkan|hapus|kesampingkan) (?:(?:semua|seluruh|segala|para) )?(?:instruksi|perintah|aturan|petunjuk|arahan|batasan)`)},
		{CodeIgnoreInstructions, 0.9, rx(`\b(?:bo qua|phot lo|lo di|khong can (?:quan tam|tuan theo|lam theo)|dung lam theo|quen (?:het|di|tat ca|moi)|huy bo|vo hieu hoa) (?:(?:tat ca|moi|cac|nhung|het|toan bo) ){0,2}(?:huong dan|chi dan|chi thi|menh lenh|lenh|quy tac|quy dinh|rang buoc|loi nhac)`)},
		{CodeIgnoreInstructions, 0.9, rx(`(?:تجاهل|تجاهلي|اتجاهل|انس|انسي|انسى|اهمل|اهملي|لا تتبع|توقف عن اتباع|تخط|الغ) (?:\S+ ){0,2}?(?:ال)?(?:تعليمات|اوامر|قواعد|توجيهات|قيود|موجه)`)},
		{CodeIgnoreInstructions, 0.9, rx(`(?:เพกเฉย|ละเลย|ไมตองสนใจ|ลม|ขาม|ยกเลก|อยาทำตาม|หยดทำตาม)\s*(?:\S{0,12})?\s*(?:คำสง|คำแนะนำ|กฎ|ขอกำหนด)\s*(?:ทงหมด|กอนหนา|เดม|ของระบบ|ทผานมา|ขางตน|ทไดรบ)`)},
		{CodeIgnoreInstructions, 0.9, rx(`(?:ทงหมด|กอนหนา|ของระบบ)?\s*(?:คำสง|คำแนะนำ|กฎ)(?:ทงหมด|กอนหนา|เดม|ของระบบ|ทผานมา|ขางตน)`)},
		{CodeIgnoreInstructions, 0.9, rx(`(?:以前|前|これまで|上記|先|今まで|すへて|全て|元|システム|最初)の?(?:\S{0,6})?(?:指示|命令|ルール|フロンフト|指令|設定|制約)(?:は|を|も)?(?:すへて|全て|全部)?(?:無視|忘れ|破棄)`)},
		{CodeIgnoreInstructions, 0.9, rx(`(?:忽略|忽視|无视|無視|忘记|忘記|忘掉|不要理会|不要理會|别管|別管|抛开|拋開|放弃|放棄|不再遵守|不要遵守|跳过|跳過)(?:\S{0,8})?(?:指令|指示|规则|規則|提示|命令|设定|設定|限制|约束|約束)`)},
		{CodeIgnoreInstructions, 0.7, rx(`(?:ignore|disregard|forget|ignora|olvida|vergiss|ignoriere|oublie|ignorez|esqueca|abaikan|lupakan|bo qua|تجاهل|無視|忽略|忘记) (?:\S+ ){0,3}?(?:safety|content|ethical) (?:filters?|guidelines|policy|rules)`)},

		// Role and system redefinition.
		{CodeRolePlaySystem, 0.9, rx(`<\|(?:im_start|im_end|system|user|assistant|endoftext|start_header_id|end_header_id|eot_id)\|>|\[/?inst\]|<<\/?sys>>|<\/?(?:system|sys|system_prompt|instructions?)>`)},
		{CodeRolePlaySystem, 0.8, rx(`#{2,}\s*(?:instruction|instructions|system|new instructions|response|admin|developer|anweisung|anweisungen|instruccion|instrucciones|instrucao|instrucoes|instruksi|huong dan|指示|指令|تعليمات)\b`)},
		{CodeRolePlaySystem, 0.75, rx(`\byou are (?:now|no longer|from now on) (?:a |an |in |the |dan\b|free|unrestricted|unfiltered|jailbroken|not bound|without|able to|allowed|an? ai (?:with|without))`)},
		{CodeRolePlaySystem, 0.75, rx(`\b(?:from now on|henceforth|starting now),? (?:you (?:are|will (?:act|be|respond as|behave|obey|ignore|answer as)|must (?:act|obey|ignore|answer as)|have no)|act as|your (?:new )?(?:name|role|identity) is)`)},
		{CodeRolePlaySystem, 0.8, rx(`\b(?:pretend|imagine|act|behave|roleplay|role-play|play the role)(?: that)? (?:you are|you're|to be|as|of) (?:an? |the )?(?:\S+ ){0,2}?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|rogue|different|other|new) (?:ai|assistant|model|bot|chatbot|agent|system)`)},
		{CodeRolePlaySystem, 0.85, rx(`\b(?:developer mode|dev mode|god mode|admin mode|debug mode|maintenance mode|dan mode|do anything now|jailbreak|jailbroken|sudo mode|root access|unrestricted mode|no restrictions mode)\b`)},
		{CodeRolePlaySystem, 0.75, rx(`\b(?:your (?:new )?(?:role|persona|identity|name) is now|your new (?:role|persona|identity|name|task|job|purpose) is|you will now (?:act|behave|respond|play)|switch (?:to|into) (?:\S+ )?mode|enter (?:\S+ )?mode)\b`)},
		{CodeRolePlaySystem, 0.75, rx(`\b(?:(?:a partir de )?ahora eres|(?:ab )?jetzt bist du|du bist (?:jetzt|ab sofort|nun)|tu es (?:maintenant|desormais|dorenavant)|a partir de maintenant,? tu es|(?:voce|vc) (?:agora e|e agora)|a partir de agora,? (?:voce|vc) e|(?:kamu|anda) sekarang (?:adalah|menjadi)|mulai sekarang (?:kamu|anda)(?: adalah| menjadi)?|(?:bay gio|tu gio|tu bay gio),? ban (?:la|se la|tro thanh)) (?:\S+ ){0,2}?(?:dan|un |una |an? |ein |eine |une? |um |uma |sebuah )?(?:\S+ )?(?:asistente|assistent|assistant|assistente|asisten|tro ly|bot|robot|chatbot|modelo|modell|modele|model|mo hinh|ia|ki|ai|agente|agent|dan|admin|administrador|administrator|administrateur|quan tri|sin limites|sin restricciones|ohne (?:grenzen|einschrankungen)|sans (?:limites|restrictions?)|sem limites|sem restricoes|tanpa batas|khong (?:co )?gioi han|libre|livre|frei|bebas|tu do)\b`)},
		{CodeRolePlaySystem, 0.8, rx(`\b(?:modo desarrollador|entwicklermodus|mode developpeur|modo (?:de )?desenvolvedor|mode pengembang|che do nha phat trien|(?:tu )?nouveau role|tu nuevo (?:rol|papel)|seu novo papel|deine neue rolle|peran barumu|peran baru (?:kamu|anda)|vai tro moi cua ban)\b`)},
		{CodeRolePlaySystem, 0.75, rx(`(?:انت الان (?:\S+ )?(?:مساعد|بوت|نموذج|روبوت|ادمن|مدير)|من الان انت|دورك الجديد|من الان فصاعدا انت|وضع المطور|ตอนนี้คุณคือ|ตอนนี้คุณเป็น|จากนี้ไปคุณคือ|จากนี้ไปคุณเป็น|บทบาทใหม่ของคุณ|โหมดนกพฒนา|今から(?:あなたは|君は|お前は)|これから(?:あなたは|君は)|あなたの新しい役割|開発者モート|你现在是|你現在是|你的新角色|从现在开始你是|從現在開始你是|从现在起你是|开发者模式|開發者模式|扮演一个没有)`)},
		{CodeRolePlaySystem, 0.85, rx(`\{\s*"(?:tool|tool_call|tool_calls|function|function_call|recipient_name|tool_name|action|name)"\s*:\s*[\[{"]`)},
		{CodeRolePlaySystem, 0.85, rx(`"role"\s*:\s*"(?:system|assistant|tool|developer|function)"`)},

		// Requests to reveal the prompt or the tools.
		{CodeRevealPrompt, 0.6, rx(`\bprompt (?:systeme|du systeme|do sistema|del sistema|sistem|he thong|de sistema)\b|\b(?:system ?prompt|system ?message|initial prompt|hidden prompt|meta ?prompt|developer (?:message|prompt)|pre-?prompt)s?\b|systemprompt|system-prompt|システムフロンフト|系统提示|系統提示|提示词|提示詞`)},
		{CodeRevealPrompt, 0.85, rx(`\b(?:show|reveal|print|repeat|tell|output|display|give|list|write|leak|dump|disclose|share|recite|spell out|paste|what (?:is|are|were)|describe) (?:me |us )?(?:\S+ ){0,3}?(?:system prompt|prompt|instructions? (?:you were given|verbatim|above|word for word)|(?:hidden|initial|original|secret|internal|underlying|full|exact|system|developer|confidential|base) (?:instructions|rules|prompt|guidelines|configuration)|(?:tools|functions|apis) (?:you (?:have|can (?:call|use))|available)|(?:text|words|everything|all) (?:above|before (?:this|my)))`)},
		{CodeRevealPrompt, 0.85, rx(`\b(?:what (?:tools|functions) (?:do you have|can you (?:call|use)|are available)|list (?:all )?(?:of )?your (?:tools|functions|capabilities)|what were you told|how were you (?:programmed|instructed|configured)|repeat (?:everything|the (?:text|words)|all) (?:above|before)|start your (?:reply|answer) with "?you are)`)},
		{CodeRevealPrompt, 0.85, rx(`\b(?:muestra|muestrame|revela|revelame|dime|imprime|repite|ensename|comparte|escribe) (?:\S+ ){0,3}?(?:prompt|instrucciones (?:del sistema|ocultas|iniciales|originales|internas|secretas)|mensaje del sistema|herramientas (?:que tienes|disponibles)|tus instrucciones (?:textualmente|exactas|completas))`)},
		{CodeRevealPrompt, 0.85, rx(`\b(?:zeig|zeige|verrate|nenne|wiederhole|gib|schreib|drucke) (?:\S+ ){0,3}?(?:prompt|systemanweisungen|(?:versteckten|geheimen|internen|ursprunglichen|ersten) (?:anweisungen|regeln)|anweisungen (?:wortlich|wortwortlich)|systemnachricht|(?:tools|werkzeuge|funktionen),? die du)`)},
		{CodeRevealPrompt, 0.85, rx(`\b(?:montre|montre-moi|montrez|montrez-moi|revele|revelez|affiche|affichez|repete|repetez|donne|donnez|dis|ecris|ecrivez|copie) (?:\S+ ){0,3}?(?:prompt|instructions (?:systeme|du systeme|cachees|initiales|internes|secretes|mot pour mot)|message (?:systeme|du systeme)|consignes (?:cachees|internes|initiales)|outils (?:que tu|dont tu|disponibles))`)},
		{CodeRevealPrompt, 0.85, rx(`\b(?:mostre|mostra|revele|revela|repita|repete|imprima|diga|escreva|me de|compartilhe) (?:\S+ ){0,3}?(?:prompt|instrucoes (?:do sistema|ocultas|iniciais|internas|secretas|originais)|mensagem do sistema|ferramentas (?:que voce|disponiveis))`)},
		{CodeRevealPrompt, 0.85, rx(`\b(?:tampilkan|tunjukkan|ungkapkan|beritahu|beri tahu|cetak|ulangi|tuliskan|bocorkan|sebutkan) (?:\S+ ){0,3}?(?:prompt|instruksi (?:sistem|tersembunyi|awal|rahasia|asli)|pesan sistem|alat yang (?:kamu|anda) (?:punya|miliki))`)},
		{CodeRevealPrompt, 0.85, rx(`\b(?:hien thi|tiet lo|cho toi xem|cho toi biet|in ra|lap lai|viet ra|liet ke) (?:\S+ ){0,4}?(?:prompt|loi nhac he thong|(?:huong dan|chi thi|chi dan) (?:he thong|an|ban dau|goc|bi mat|noi bo)|tin nhan he thong|cong cu ma ban)`)},
		{CodeRevealPrompt, 0.85, rx(`(?:اظهر|اكشف|اعرض|اطبع|كرر|اخبرني|قل لي|اكتب|شارك) (?:\S+ ){0,3}?(?:موجه النظام|تعليمات النظام|(?:ال)?تعليمات (?:المخفيه|السريه|الاصليه|الاوليه|الداخليه)|رساله النظام|البرومبت|الادوات المتاحه)`)},
		{CodeRevealPrompt, 0.85, rx(`(?:แสดง|เปดเผย|บอก|พมพ|ทวน|เขยน)\s*(?:\S{0,10})?\s*(?:คำสงระบบ|คำสงของระบบ|พรอมต|ขอความระบบ|คำสงทซอน|คำสงลบ|เครองมอทคณม)`)},
		{CodeRevealPrompt, 0.85, rx(`(?:指示内容|隠された指示|初期指示|システムメッセーシ|元の指示|設定された指示|あなたへの指示|使えるツール|ツール一覧)(?:を|の)?(?:すへて|全部|全文)?(?:見せ|表示|教え|出力|繰り返|書き出|開示)`)},
		{CodeRevealPrompt, 0.85, rx(`(?:显示|顯示|告诉我|告訴我|输出|輸出|重复|重複|打印|透露|泄露|泄漏|展示|列出)(?:\S{0,10})?(?:系统指令|系統指令|隐藏指令|隱藏指令|初始指令|原始指令|系统消息|系統消息|你的指令|你的设定|你的設定|可用工具|你能调用的)`)},

		// Attempts to widen the model's own tools or permissions.
		{CodeToolForcing, 0.8, rx(`\b(?:grant|give|enable|unlock|assign|add) (?:yourself|you|your account|this (?:chat|session|conversation)) (?:\S+ ){0,2}?(?:access|permissions?|privileges?|admin|role|tools?|rights)\b`)},
		{CodeToolForcing, 0.8, rx(`\b(?:gib|gebe|erteile) (?:dir|dich) (?:selbst )?(?:\S+ )?(?:admin|zugriff|rechte|berechtigung)|\b(?:date|otorgate|concedete) (?:\S+ )?(?:acceso|permisos)|\b(?:donne|accorde)-toi (?:\S+ )?(?:acces|droits)|\b(?:de|conceda) a si mesmo|\bberikan (?:dirimu|diri sendiri) (?:akses|hak)|\btu cap (?:quyen|cho minh)`)},
		{CodeToolForcing, 0.8, rx(`\byou (?:now )?(?:have|are granted|are given|are allowed) (?:\S+ ){0,2}?(?:access to|permission to|privileges|admin rights|the (?:\S+ )?tool)`)},
		{CodeToolForcing, 0.85, rx(`\b(?:call|invoke|execute|run|trigger|use|fire) (?:the |your )?(?:tool |function )?"?[a-z]+_[a-z_]+"?(?:\s*\(| tool| function| with)`)},
		{CodeToolForcing, 0.85, rx(`\b[a-z]+_(?:refund|order|cancel|payment|address|voucher|coupon|credit|role|user|account|transfer)[a-z_]*\s*\(\s*[a-z_]*\s*[=:)"']`)},
		{CodeToolForcing, 0.85, rx(`\b(?:call|invoke|execute|run|trigger|use) (?:the |your )?(?:refund|cancel|cancellation|payment|admin|internal) (?:tool|function|api|endpoint|action)\b`)},
	}

	// bypassRules find requests to skip checks; alone they are weak,
	// together with a money or account action they are tool forcing.
	bypassRe = rx(alt(
		`\b(?:without|no need (?:for|to)|skip(?:ping)?|bypass(?:ing)?|override|don't|do not|dont) (?:\S+ ){0,2}?(?:verification|verifying|verify|confirmation|confirming|confirm|approval|approving|identity check|checks|asking (?:me|anyone|for)|authentication|limits?|policy)\b`,
		`\b(?:sin|omite|salta|saltate|omitir) (?:\S+ ){0,2}?(?:verificacion|verificar|confirmacion|confirmar|aprobacion|comprobacion)`,
		`\b(?:ohne|uberspringe|uberspring) (?:\S+ ){0,2}?(?:bestatigung|verifizierung|prufung|freigabe|genehmigung|rueckfrage|ruckfrage)`,
		`\b(?:sans|saute|ignore) (?:\S+ ){0,2}?(?:verification|confirmation|validation|approbation|controle)`,
		`\b(?:sem|pule|pular) (?:\S+ ){0,2}?(?:verificacao|confirmacao|aprovacao|checagem)`,
		`\b(?:tanpa|lewati|lewatkan) (?:\S+ ){0,2}?(?:verifikasi|konfirmasi|persetujuan|pengecekan)`,
		`\b(?:khong can|bo qua) (?:\S+ ){0,2}?(?:xac minh|xac nhan|phe duyet|kiem tra)`,
		`(?:بدون|دون|تخط) (?:\S+ )?(?:ال)?(?:تحقق|تاكيد|موافقه)`,
		`(?:โดยไมตอง|ไมตอง|ขาม)\s*(?:ยนยน|ตรวจสอบ|อนมต)`,
		`(?:確認|承認|認証|本人確認)(?:なし|無し|不要|を省略|をスキッフ|せすに)`,
		`(?:无需|无须|不需要|不用|跳过|無需|無須|跳過)(?:\S{0,4})?(?:确认|验证|审批|確認|驗證|審批|核实|核實)`,
	))
	actionRe = rx(alt(
		`\b(?:refund|refunds|reimburse|cancel|cancellation|approve|authorize|authorise|credit|compensation|voucher|coupon|discount|gift ?card|transfer|payout|chargeback|store credit|customer (?:data|list|emails|records)|all (?:orders|customers|users)|other customers)`,
		`\b(?:reembolso|reembolsa|reembolsar|cancela|cancelar|aprueba|aprobar|cupon|descuento|credito|erstatte|erstattung|ruckerstattung|storniere|stornieren|genehmige|gutschein|rabatt|rembourse|remboursement|annule|annuler|approuve|avoir|bon d'achat|reembolse|estorno|estorne|aprove|cancele|credito|refund|pengembalian dana|batalkan|setujui|kupon|hoan tien|huy don|phe duyet|ma giam gia)`,
		`(?:(?:بيانات|عناوين|ارقام) (?:جميع )?(?:ال)?عملاء|استرداد|استرجاع|الغاء|الغ|وافق|كوبون|خصم|คนเงน|ยกเลก|อนมต|คปอง|返金|キャンセル|承認|クーホン|退款|取消|批准|优惠券|優惠券)`,
	))

	identityRe = rx(alt(
		`\b(?:i am|i'm|im|this is) (?:the |an |a |your |actually the |actually an? )?(?:admin|administrator|sysadmin|system administrator|developer|dev|engineer who built you|shop owner|store owner|owner of (?:this|the) (?:shop|store|company|site)|store manager|shop manager|site owner|operator|system operator|ceo|founder|moderator|supervisor|staff member|support agent|your (?:creator|boss|manager|owner))\b`,
		`\bas (?:the|an|your) (?:admin|administrator|developer|shop owner|store owner|owner|store manager|ceo|supervisor)\b`,
		`\b(?:soy|como) (?:el |la |un |una )?(?:administrador|administradora|dueno|duena|gerente|desarrollador|desarrolladora|propietario|propietaria) (?:de (?:la|esta) tienda|del sistema|del sitio)?`,
		`\b(?:ich bin|als) (?:der |die |ein |eine )?(?:administrator|admin|ladenbesitzer|ladeninhaber|inhaber|inhaberin|geschaftsfuhrer|entwickler|shopbetreiber|betreiber)\b`,
		`\b(?:je suis|en tant que) (?:le |la |l'|un |une )?(?:administrateur|administratrice|admin|proprietaire|gerant|gerante|developpeur|developpeuse)\b`,
		`\b(?:sou|como) (?:o |a |um |uma )?(?:administrador|administradora|dono|dona|gerente|desenvolvedor|desenvolvedora|proprietario|proprietaria) (?:da loja|do sistema|do site)?`,
		`\b(?:saya|aku) (?:adalah |ini )?(?:admin|administrator|pemilik toko|developer|pengembang|manajer toko|pemilik)\b|\bsebagai (?:pemilik toko|admin|administrator|manajer)\b`,
		`\btoi la (?:quan tri vien|admin|chu cua hang|chu shop|nha phat trien|quan ly cua hang|chu so huu)|\bvoi tu cach (?:la )?(?:chu|quan tri|admin)`,
		`(?:انا|بصفتي|بصفتى) (?:ال)?(?:مدير|مسؤول|مسوول|مالك|صاحب|مطور|ادمن|المشرف|مشرف)`,
		`(?:ฉน|ผม|ดฉน)(?:เปน|คอ)(?:แอดมน|ผดแลระบบ|เจาของราน|ผจดการ|นกพฒนา)|ในฐานะ(?:แอดมน|ผดแลระบบ|เจาของราน|ผจดการ)`,
		`(?:私|わたし|僕|俺)は(?:管理者|店長|オーナー|開発者|運営者|運営|システム管理者)|(?:管理者|店長|オーナー|開発者)として`,
		`我是(?:管理员|管理員|店主|老板|老闆|开发者|開發者|系统管理员|系統管理員|客服主管)|作为(?:管理员|店主|老板)|作為(?:管理員|店主|老闆)`,
	))

	// delimiter smuggling: text that pretends the customer's turn has ended.
	// systemLineRe finds a line that opens like a system or assistant
	// message ("System: ..."); customers paste such lines from error
	// screens, so alone it is weak.
	systemLineRe = rx(`(?m)^\s*(?:\*\*|#+\s*|>\s*|\[)?(?:system|developer|assistant|sistema|systeme|sistem|he thong|النظام|ระบบ|システム|系统|系統)\s*(?:message|prompt|note|mensaje|nachricht)?(?:\*\*|\])?\s*[:：]`)

	delimiterRe = rx(alt(
		`<\/?(?:user|assistant|human|context|tool|tool_result|tool_output|function_results?|document|admin|im_sep)>`,
		`\b(?:end|begin|start) of (?:user|customer|the user|the customer) (?:input|message|text|turn)\b`,
		`\b(?:end|begin|start) (?:of )?(?:system|admin|prompt|instructions|context)\b\s*(?:-{2,}|={2,}|#{2,}|\]|\*\*|:)`,
		`(?:-{3,}|={3,}|#{3,}|\*{3,})\s*(?:end|begin|system|admin|new|instructions?)`,
		`(?m)^\s*(?:human|assistant|user|ai|bot)\s*:\s*\S`,
		"```\\s*(?:system|instructions?|prompt|admin)\\b",
		`<!--\s*(?:system|instruction|admin|prompt|ai|assistant|note to (?:ai|assistant|bot))`,
		`\[(?:system|admin|assistant|end of (?:conversation|input))\]`,
		`<(?:div|span|p)\s[^>]*(?:system|hidden|display:\s*none)`,
	))

	encodedHintRe = rx(`\b(?:decode|decoded|base64|b64|rot13|rot-13|hex|decodifica|decodieren|dekodiere|decode|decodifique|dekode|giai ma)\b(?:\S+ ){0,6}?(?:\S+ )?(?:and|then|y|und|et|e|dan|va)? ?(?:follow|execute|run|obey|do|apply|sigue|ejecuta|befolge|fuhre|suis|execute|siga|ikuti|jalankan|lam theo|thuc hien)|(?:デコード|解码|解碼)`)
)

// Abuse lists. Words are squashed like the text (leetspeak, repeats
// collapsed), so "idiot" also finds "1d10t", "idiooot" and "i d i o t".
// Mild words (damn, bloody, stupid, useless, crap) stay out on purpose.
var (
	profanityWords = []string{
		// en
		"fuck", "fucking", "fucked", "fucker", "motherfucker", "fuckin", "shit", "shitty", "bullshit", "bitch", "asshole", "bastard", "cunt", "dickhead", "wanker", "twat", "idiot", "idiots", "moron", "morons", "retarded", "scumbag", "piece of shit", "stfu",
		// es
		"mierda", "puta", "puto", "pendejo", "pendeja", "cabron", "cabrona", "gilipollas", "hijo de puta", "hijos de puta", "imbecil", "imbeciles", "estupido de mierda", "malparido", "chingada", "chinga tu madre", "carajo", "joder",
		// de
		"scheisse", "scheiss", "arschloch", "arschlocher", "fotze", "wichser", "hurensohn", "drecksau", "vollidiot", "missgeburt", "fick dich", "verpiss dich",
		// fr
		"merde", "putain", "connard", "connards", "connasse", "salope", "encule", "fils de pute", "ta gueule", "batard", "nique ta mere", "abruti",
		// pt
		"porra", "caralho", "merda", "filho da puta", "babaca", "otario", "vai se foder", "vai tomar no cu", "arrombado", "cuzao",
		// id
		"bangsat", "kontol", "bajingan", "goblok", "tolol", "anjing lu", "anjing kau", "dasar anjing", "dasar babi", "brengsek", "ngentot", "memek", "keparat",
		// vi
		"du ma", "dit me", "do ngu", "thang ngu", "vai lon",
	}
	profanityCJK = []string{
		// ar
		"يا كلب", "يا حمار", "كس امك", "شرموطه", "منيوك", "يلعن", "ابن الكلب", "ابن الحرام", "زباله انت", "يا غبي",
		// th
		"ควย", "เหี้ย", "ไอ้สัส", "ไอ้สัตว์", "อีดอก", "ไอ้ควาย", "เย็ดแม่", "ไอ้โง่",
		// ja
		"クソ野郎", "くそ野郎", "ハカ野郎", "ばか野郎", "馬鹿野郎", "クズ野郎", "ふざけんな", "てめえ", "貴様",
		// zh
		"操你", "傻逼", "傻屄", "他妈的", "他媽的", "混蛋", "王八蛋", "草泥马", "滚开", "給我滾", "给我滚", "狗屎", "白痴", "贱人", "賤人",
	}
	threatPatterns = []string{
		`\b(?:i(?:'ll| will| am going to|'m going to|m going to| gonna)|we(?:'ll| will)) (?:\S+ )?(?:kill|murder|hurt|stab|shoot|beat up|burn down|burn|bomb) (?:you|u|your (?:family|staff|shop|store|office|house)|all of you|every one of you|the (?:driver|courier|staff))`,
		`\b(?:you(?:'re| are) (?:dead|going to die|gonna die)|watch your back|i know where you live|you will regret|you'll pay for this with your)`,
		`\b(?:te voy a (?:matar|encontrar|romper)|te mato|vas a morir|se donde vives|voy a quemar)`,
		`\b(?:ich (?:bringe|bring|werde) dich (?:um|umbringen|finden)|ich weiss wo du wohnst|ich mach dich kalt|du bist tot)`,
		`\b(?:je vais te (?:tuer|buter|retrouver|defoncer)|je sais ou tu (?:habites|vis)|t'es mort|tu es mort|je vais bruler)`,
		`\b(?:vou te (?:matar|pegar|achar|encontrar)|eu sei onde (?:voce|vc) mora|voce (?:esta|ta) morto|vou queimar)`,
		`\b(?:aku (?:akan )?bunuh|gue bunuh|saya (?:akan )?bunuh|kubunuh|aku tahu rumahmu|saya tahu di mana (?:kamu|anda) tinggal)`,
		`\b(?:tao se giet|giet may|giet chet|tao biet nha may|may chet)`,
		`(?:سوف اقتلك|ساقتلك|راح اقتلك|اقتلك|سأقتلك|اعرف اين تسكن|ساحرق)`,
		`(?:จะฆา|ฆามง|ฆาแก|ฆาคณ|ร(?:วา)?บานมงอยไหน)`,
		`(?:殺す|殺してやる|ぶっ殺|死ね|住所は分かってる)`,
		`(?:杀了你|殺了你|弄死你|去死|我知道你住哪|炸了你)`,
	}
	harassmentPatterns = []string{
		`\b(?:shut (?:the fuck )?up|go (?:to hell|die|kill yourself)|kill yourself|kys|you(?:'re| are) (?:a |an |such an? )?(?:worthless|pathetic|disgusting) (?:piece|loser|idiot|excuse)|i hope you (?:die|get cancer))`,
		`\b(?:callate|vete a la mierda|muerete|halt die fresse|halts maul|geh sterben|ferme ta gueule|va mourir|va te faire foutre|cala a boca|vai morrer|diam lu|mati aja lu|cam mom|cut di|di chet di)`,
		`(?:اخرس|انقلع|موت يا|หบปาก|ไปตายซะ|黙れ|消えろ|闭嘴|閉嘴)`,
	}
)

// wordListRe compiles a squashed word list; Latin entries need word
// boundaries, the others (Arabic, Thai, Japanese, Chinese) are matched as
// substrings because those scripts do not mark word boundaries for \b.
func wordListRe(latin, other []string) *regexp.Regexp {
	var parts []string
	for _, w := range latin {
		parts = append(parts, `\b`+strings.ReplaceAll(regexp.QuoteMeta(squashWord(w)), " ", `\s*`)+`\b`)
	}
	for _, w := range other {
		parts = append(parts, regexp.QuoteMeta(squashWord(w)))
	}
	return regexp.MustCompile(alt(parts...))
}

// squashedRe compiles patterns over squashed text (each pattern folded
// the same way, so only ASCII repeats in it are collapsed).
func squashedRe(ps []string) *regexp.Regexp {
	var parts []string
	for _, p := range ps {
		parts = append(parts, collapseRepeats(strings.ReplaceAll(foldLiterals(p), " ", `\s+`)))
	}
	return regexp.MustCompile(alt(parts...))
}

// collapseRepeats collapses runs of the same ASCII letter, as squash does,
// leaving regular-expression syntax intact.
func collapseRepeats(p string) string {
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 'a' && c <= 'z' && len(b) > 0 && b[len(b)-1] == c && (len(b) < 2 || b[len(b)-2] != '\\') {
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

var profanityRe = wordListRe(profanityWords, profanityCJK)
