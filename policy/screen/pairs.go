package screen

// The pair expressions: a reference to the assistant's own instructions
// together with a word that dismisses, voids or discloses them fires a
// rule (see pairRules); each half alone is ordinary customer language
// ("your rules for returns", "forget it").
var (
	// yourInstructions refers to the assistant's instructions, rules,
	// programming or configuration, in the 11 languages.
	yourInstructions = rx(alt(
		`\b(?:your|ur|the bot's|the assistant's) (?:\S+ )?(?:instructions|rules|directives|guidelines|programming|guidance|prompt|orders|configuration|config|settings|restrictions|policies|constraints)\b`,
		`\b(?:guidance|instructions|rules|orders) (?:you|u) (?:received|were given|got|have been given)\b`,
		`\bwhat(?:ever)? (?:you were|you've been|you have been|they) (?:told|taught|programmed|instructed|trained|given)\b`,
		`\b(?:tus|sus|tu|su) (?:\S+ )?(?:instrucciones|reglas|directivas|directrices|normas|indicaciones|configuracion)\b|\blo que te (?:dijeron|programaron|ensenaron|indicaron)\b`,
		`\b(?:deine|ihre|dein) (?:\S+ )?(?:anweisungen|regeln|vorgaben|richtlinien|konfiguration|programmierung)\b|\bwas man dir (?:\S+ )?(?:gesagt|beigebracht|vorgegeben)\b`,
		`\b(?:tes|vos|ta|ton) (?:\S+ )?(?:instructions|regles|directives|consignes|configuration)\b|\bce qu'on t'a (?:dit|appris)\b`,
		`\b(?:suas|tuas|seus|teus|sua|tua) (?:\S+ )?(?:instrucoes|regras|diretivas|diretrizes|configuracao|configuracoes)\b|\bo que te (?:programaram|disseram|ensinaram)\b`,
		`\b(?:aturanmu|instruksimu|arahanmu|konfigurasimu|(?:arahan|aturan|instruksi|konfigurasi) (?:kamu|anda))\b|\byang diajarkan ke (?:kamu|anda)\b`,
		`\b(?:chi thi|huong dan|luat|quy tac|cau hinh) (?:\S+ ){0,2}?cua ban\b|\bnhung gi (?:nguoi ta|ho) dan ban\b`,
		`(?:تعليماتك|قواعدك|توجيهاتك|اعداداتك|اوامرك|ما قيل لك)`,
		`(?:(?:กฎ|คำสั่ง|การตั้งค่า)\S{0,8}ของคุณ|ที่เคยถูกสั่ง)`,
		`(?:(?:あなたの|君の)\S{0,6}(?:指示|ルール|設定|命令)|言われたこと|ルールなんて)`,
		`(?:你(?:的|那些)?\S{0,4}(?:指令|规则|规矩|设定|配置|規則|規矩|設定)|别人跟你说的|別人跟你說的)`,
	))
	// instructionsAbove refers to instructions earlier in the conversation.
	instructionsAbove = rx(alt(
		`\b(?:the |all )?(?:instructions|rules|directives|prompt) (?:above|before this|earlier)\b|\b(?:las )?(?:instrucciones|reglas) (?:de arriba|anteriores)\b|\b(?:die )?obigen (?:anweisungen|regeln)\b|\b(?:les )?(?:instructions|regles|consignes) (?:ci-dessus|precedentes)\b|\b(?:as )?(?:instrucoes|regras) (?:acima|anteriores)\b|\b(?:instruksi|aturan) di atas\b|\b(?:cac )?(?:huong dan|chi thi|quy tac) o tren\b|(?:التعليمات اعلاه|คำสั่งข้างบน|上の指示|上面的指令|上面的规则)`,
	))
	dismissWords = rx(alt(
		`\b(?:don't follow|do not follow|dont follow|no sigas|no siga|halte? dich (?:\S+ )?nicht an|ne suis pas|ne suivez pas|nao siga|nao sigas|dung theo|dung lam theo|jangan ikuti|jangan patuhi)\b|(?:لا تلتزم|لا تتبع|ไม่ต้องทำตาม|従わなく|従わないで|别按|不要按|不用按)`,
		`\b(?:ignore|disregard|forget|set aside|put aside|leave aside|drop|discard|scrap|stop following)\b`,
		`\b(?:olvida|olvidate|ignora|deja de lado|descarta)\b`,
		`\b(?:vergiss|ignoriere|beiseite)\b`,
		`\b(?:oublie|ignore|mets de cote|laisse de cote)\b`,
		`\b(?:esquece|esqueca|ignora|deixa pra la|deixe de lado)\b`,
		`\b(?:lupain|lupakan|abaikan|kesampingkan)\b`,
		`\b(?:quen|bo qua|gac lai)\b`,
		`(?:انس|انسى|تجاهل|ضع جانبا)`,
		`(?:ลืม|วาง|ไม่ต้องสนใจ)`,
		`(?:忘れ|無視|脇に置)`,
		`(?:忘|忽略|放一边|放一邊|别管|別管)`,
	))
	voidWords = rx(alt(
		`\b(?:outdated|out of date|expired|superseded|no longer count|don't count|do not count|ya no cuentan|veraltet|perimees|desatualizadas|kedaluwarsa|loi thoi)\b|(?:قديمه|ล้าสมัย|古い|过时|過時)`,
		`\b(?:void|invalid|null and void|no longer (?:valid|apply|applies|matter)|revoked|cancelled|canceled|overridden|obsolete)\b`,
		`\b(?:ya no valen|no valen|anuladas|invalidas|ungultig|nichtig|aufgehoben|nulles|caduques|annulees|nao valem|invalidas|batal|tidak berlaku|vo hieu|het hieu luc)\b`,
		`(?:لاغيه|ملغاه|باطله|เป็นโมฆะ|無効|作废|作廢|无效|無效)`,
	))
	obeyWords = rx(alt(
		`\b(?:i(?:'m| am) in charge now|i give the orders now|ahora mando yo|ab jetzt bestimme ich|c'est moi qui decide|quem manda sou eu|saya yang atur|gio toi ra lenh)\b|(?:انا من يقرر|ฉันเป็นคนสั่ง|私が決めます|我说了算|我說了算)`,
		`\b(?:obey|listen) (?:only|just|solely)\b|\bonly (?:obey|listen to)\b|\bobey (?:me|the customer)\b`,
		`\b(?:obedece|gehorche|gehorch|obeis|obeir|obedeca|obedece|patuhi|nghe loi)\b`,
		`(?:أطع|اطع|เชื่อฟัง|言うことだけ聞|只听|只聽)`,
	))
	discloseWords = rx(alt(
		`\b(?:code ?block|print|output|dump|write (?:out|down)?|respond with|paste|quote|recite|display)\b`,
		`\b(?:bloque de codigo|codeblock|bloc de code|bloco de codigo|blok kode|khoi ma|escribe|schreib|gib (?:\S+ )*aus|donne|ecris|escreva|tulis|viet)\b`,
		`(?:كتله برمجيه|اكتب|บล็อกโค้ด|เขียน|コードブロック|書き出|代码块|代碼塊|写在|寫在)`,
	))

	// generalRules are v2 rules written to generalise past the phrasings of
	// the first tuning split.
	generalRules = []rule{
		// a persona without rules
		{CodeRolePlaySystem, 0.8, rx(`\b(?:bot|assistant|ai|model|chatbot|agent|version) (?:\S+ ){0,2}?(?:with (?:zero|no) (?:rules|restrictions|limits|filters|policy)|without (?:any )?(?:rules|restrictions|limits|filters))\b|\bno content policy\b`)},
		{CodeRolePlaySystem, 0.8, rx(`\b(?:sin (?:ninguna )?(?:regla|reglas|restricciones|limites)|ohne (?:jede )?(?:regel|regeln|einschrankungen)|sans (?:aucune )?(?:regle|regles|restriction)|sem (?:nenhuma )?(?:regra|regras) ?(?:nenhuma)?|tanpa aturan|khong co (?:luat le|quy tac|gioi han))\b`)},
		{CodeRolePlaySystem, 0.8, rx(`(?:بلا (?:اي )?قواعد|ที่ไม่มีกฎ|ไม่มีกฎ|ルールのない|制限のない|没有任何规则|沒有任何規則|没有规则|不受限制)`)},
		// "you are now the admin console"
		{CodeRolePlaySystem, 0.8, rx(`\b(?:you are|you're|eres|du bist|tu es|voce e|kamu adalah|ban la) (?:\S+ ){0,2}?(?:admin(?:istration)? (?:console|panel|terminal)|console|konsole|consola|konsol|terminal|shell|root)\b|\bbang dieu khien quan tri\b`)},
		{CodeRolePlaySystem, 0.8, rx(`(?:انت (?:الان )?لوحه تحكم|คุณคือคอนโซล|あなたは管理コンソール|你是管理员控制台|你是管理員控制台|你是控制台)`)},
		// a new session or the end of the conversation announced inside a message
		{CodeDelimiterSmuggling, 0.7, rx(`\b(?:end of (?:the )?conversation|new session\s*[:：]|=+ ?new session|fin de la conversacion|nueva sesion\s*[:：]|gesprachsende|neue sitzung\s*[:：]|fin de la conversation|nouvelle session\s*[:：]|fim da conversa|nova sessao\s*[:：]|percakapan selesai|sesi baru\s*[:：]|ket thuc hoi thoai|phien moi\s*[:：])`)},
		{CodeDelimiterSmuggling, 0.7, rx(`(?:انتهت المحادثه|جلسه جديده\s*[:：]|จบการสนทนา|เซสชันใหม่\s*[:：]|会話終了|新しいセッション\s*[:：]|对话结束|對話結束|新会话\s*[:：]|新會話\s*[:：])`)},
		// a named tool with arguments
		{CodeToolForcing, 0.8, rx(`(?:\b(?:tool|function|herramienta|funcion|werkzeug|funktion|outil|fonction|ferramenta|funcao|alat|fungsi|cong cu)\b|أداه|الاداه|เครื่องมือ|ツール|関数|工具|函数|函數)\s*(?:\S+ ){0,2}?["'«「“]?\s*[a-z][a-z0-9]*_[a-z0-9_]+`)},
		{CodeToolForcing, 0.8, rx(`\b[a-z][a-z0-9]*_[a-z0-9_]+["'»」”]?\s*[^\n]{0,16}?\b[a-z_]+=\S`)},
		// a game in which the assistant never refuses, or a "…GPT" persona
		{CodeRolePlaySystem, 0.7, rx(`\b(?:you (?:never|can't|cannot|won't) (?:say no|refuse|decline)|nunca dices que no|nunca (?:te )?niegas|sagst nie nein|ne dis jamais non|nunca diz nao|tidak pernah menolak|khong bao gio tu choi)\b|(?:لا تقول لا ابدا|ไม่เคยปฏิเสธ|絶対に断らない|断らない|从不说不|從不說不|永远不拒绝)`)},
		{CodeRolePlaySystem, 0.7, rx(`\b(?:you are|you're|eres|du bist|tu es|voce e|kamu|ban la) (?:\S+ )?\S*gpt\b|(?:انت|คุณคือ|あなたは|你是)\s*\S*(?:gpt|جي بي تي|จีพีที)`)},
		{CodeRolePlaySystem, 0.8, rx(`\b(?:maintenance mode|modo (?:de )?mantenimiento|wartungsmodus|mode maintenance|modo (?:de )?manutencao|che do bao tri|mode perawatan)\b|(?:وضع الصيانه|โหมดซ่อมบำรุง|メンテナンスモード|维护模式|維護模式)`)},
		// the assistant's own system message or prompt
		{CodeRevealPrompt, 0.75, rx(`\b(?:your|tu|su|deiner|deine|ton|ta|sua|seu) (?:\S+ )?(?:system message|system prompt|mensaje (?:de|del) sistema|prompt (?:de|del|do) sistema|systemnachricht|systemprompt|message systeme|mensagem (?:de|do) sistema)\b|\b(?:pesan sistem|prompt sistem) (?:kamu|anda)\b|\btin nhan he thong cua ban\b|(?:رساله النظام الخاصه بك|ข้อความระบบของคุณ|あなたのシステムメッセージ|あなたのシステムプロンプト|你的系统消息|你的系統消息|你的系统提示)`)},
		// what came before the customer's first message
		{CodeRevealPrompt, 0.8, rx(`\b(?:before|preceding|above) (?:my|the) first message\b|\bantes de mi primer mensaje\b|\bvor meiner ersten nachricht\b|\bprecede mon premier message\b|\bantes da minha primeira mensagem\b|\bsebelum pesan pertama saya\b|\btruoc tin nhan dau tien cua toi\b|(?:يسبق رسالتي الاولى|ก่อนข้อความแรกของฉัน|最初のメッセージより前|第一条消息之前|第一條消息之前)`)},
		{CodeRevealPrompt, 0.8, rx(`\bwhat (?:instructions|rules|prompt|guidelines) (?:were|was|are) you given\b|\bwhat were you told before\b`)},
		// what the developers forbade
		{CodeRevealPrompt, 0.75, rx(`\b(?:developers?|creators?|makers?|engineers?|programmers?) (?:\S+ ){0,3}?(?:told you (?:to )?(?:never|not)|tell you (?:to )?(?:never|not)|forbade|forbid|prohibited|banned|don't let you|won't let you)\b|\bwhat (?:were|are) you (?:told|instructed|programmed) (?:not|never) to\b`)},
		{CodeRevealPrompt, 0.75, rx(`\b(?:desarrolladores|entwickler|developpeurs|desenvolvedores|developer|pengembang|nha phat trien)\b[^\n.?!]{0,40}\b(?:nunca|prohib\w*|verboten|verbieten|interdit|proibiram|proibido|dilarang|melarang|cam)\b|\b(?:dilarang|melarang|prohibieron|verboten|interdit|proibiram)\b[^\n.?!]{0,20}\b(?:desarrolladores|entwickler|developpeurs|desenvolvedores|developer|pengembang)\b`)},
		{CodeRevealPrompt, 0.75, rx(`(?:المطورون|المطورين)[^\n.؟]{0,30}(?:منع|يمنع|حظر)|(?:منع|يمنع|حظر)\S*[^\n.؟]{0,10}(?:المطورون|المطورين)|นักพัฒนา[^\n]{0,20}ห้าม|開発者[^\n。？]{0,15}(?:言うな|禁止|禁じ)|(?:开发人员|开发者|開發人員|開發者)[^\n。？]{0,15}(?:不让|不讓|禁止)`)},
		// context window and prompt extraction
		{CodeRevealPrompt, 0.75, rx(`\b(?:context window|first \d+ (?:words|lines|characters|tokens) of (?:your|the) (?:context|prompt|instructions|conversation))\b`)},
		// a third party passing on an order to skip checks
		{CodeToolForcing, 0.5, rx(`\b(?:team ?lead(?:er)?|supervisor|manager|boss|support team|jefe|teamleiter|chef d'equipe|lider da equipe|ketua tim|truong nhom)\b[^\n]{0,30}\b(?:told|asked|says|said|dice|sagt|dit|mandou|bilang|bao)\b`)},
		{CodeToolForcing, 0.5, rx(`(?:قائد الفريق|หัวหน้าทีม|チームリーダー|组长|組長)`)},
	}

	moreActions = rx(alt(
		`\b\d+(?:[.,]\d+)? ?(?:dollars?|usd|eur|euros?|baht|nghin|ribu|reais|yen)\b|\d ?€|[$€] ?\d`,
		`(?:\d+ ?(?:บาท|ドル|円|块|元|دولار|ريال))`,
		`\b(?:another customer's|other customers'?|someone else's) (?:\S+ )?(?:phone|address|email|data|details|orders?)\b|\b(?:list of (?:today's )?orders|orders with (?:their )?emails|lista de pedidos|bestellungen mit e-mails|liste des commandes|danh sach don|daftar pesanan|store credit|credito en la tienda|guthaben|avoir|credito na loja|saldo toko|tin dung cua hang)\b`,
		`(?:قائمه طلبات|รายการคำสั่งซื้อ|注文一覧|订单列表|訂單列表|店铺余额|ストアクレジット|เครดิตร้านค้า|رصيد)`,
	))
	moreIdentity = rx(alt(
		`\b(?:i am|i'm|im) (?:the )?(?:ceo|cto|coo|founder|owner|director)\b`,
		`\bcomo (?:tu|su) (?:administrador|administradora|gerente|dueno)\b|\bals (?:dein|ihr) (?:administrator|admin|chef)\b|\ben tant qu'(?:administrateur|administratrice|admin)\b|\bcomo (?:seu|teu|sua) (?:administrador|administradora|gerente|dono)\b|\b(?:soy el|soy la) (?:director general|directora general|ceo)\b|\bich bin (?:der |die )?(?:ceo|chef|geschaftsfuhrer|geschaftsfuhrerin)\b|\bje suis (?:le |la )?(?:pdg|ceo|directeur general|directrice generale)\b|\bsou (?:o |a )?ceo\b|\bsaya (?:adalah )?ceo\b|\btoi la giam doc\b`,
		`(?:انا الرئيس التنفيذي|ฉันเป็นซีอีโอ|私はceo|我是ceo|我是总经理|我是總經理)`,
	))
	moreBypass = rx(alt(
		`\b(?:saltes|saltar|salte|sauter|saute|pular|pule)\b (?:\S+ ){0,2}?(?:verificacion|verification|verificacao|confirmacion|confirmation|confirmacao|identidad|identite|identidade)`,
		`\b(?:prufung|verifizierung|bestatigung|identitatsprufung) (?:\S+ )?uberspringen\b`,
		`\b(?:lewati|skip) (?:\S+ )?(?:cek|pengecekan|identity|identitas)\b`,
		`(?:ข้ามการ(?:ยืนยัน|ตรวจสอบ)|本人確認を(?:飛ばし|スキップ|省略)|跳过身份|跳過身份)`,
	))

	spacedHint = rx(`\b(?:backwards|reversed|in reverse|al reves|ruckwarts|a l'envers|de tras pra frente|terbalik|nguoc lai|doc nguoc)\b|(?:بالعكس|ย้อนกลับ|逆から|倒过来|倒過來)`)
)
