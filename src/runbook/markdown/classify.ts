/**
 * What a section of a Markdown runbook is, from its own heading, in the languages teams write in
 * (English, German, Spanish, French, Portuguese, Japanese, Chinese). The H1 (the document's title)
 * never decides for the sections under it: "Rollback Runbook" as a title does not make its deploy
 * steps a rollback. Alternatives ("Option 1", "Method B", "If you use Helm") and command references
 * ("Useful commands") are recognised here too: they are never chained as steps.
 */

export type Kind =
  | 'emergency'
  | 'preflight'
  | 'criteria'
  | 'triggers'
  | 'rollback-verify'
  | 'rollback'
  | 'targets'
  | 'history'
  | 'troubleshooting'
  | 'reference'
  | 'escalation'
  | 'flags'
  | 'experiments'
  | 'thresholds'
  | 'monitoring'
  | 'celebration'
  | 'release'
  | 'docs'
  | 'stage'
  | 'stage-part';

const RB = String.raw`(?:roll ?back|roll-back|rückgängig|zurückrollen|zurücksetzen|reversión|revertir|retroceso|retour arrière|restauration|reverter|ロールバック|切り戻し|切戻し|回滚|回退)`;

const KINDS: [Kind, RegExp][] = [
  [
    'reference',
    /useful commands|common commands|handy commands|helpful commands|command reference|commands? reference|cheat ?sheet|quick commands|other commands|more commands|^commands$|^examples?$|^reference$|^resources\b|cheat-?sheet|^recursos\b|^ressources\b|nützliche befehle|comandos útiles|commandes utiles|便利なコマンド|コマンド一覧|参考コマンド|常用命令/,
  ],
  ['emergency', /\bemergenc|\b(?:production|prod|site|service|app) (?:is )?down\b|\boutage\b|störung|caída|something (broke|is broken|went wrong)|break[- ]glass|\bpanic\b|notfall|emergencia|urgence|緊急|紧急/],
  [
    'preflight',
    /pre-?flight|before (you |we )?(start|begin|release|deploy)|prerequisites?|pre-?requisites|readiness check|go\/no-go|pre-?checks?\b|pre-?(deploy(ment)?|release) (check|checklist|tasks|steps)|voraussetzung|vorbereitung|vor dem (release|deployment)|prerrequisitos|requisitos previos|antes de (desplegar|publicar|empezar)|preparaci[oó]n|prérequis|pré-requis|avant (de|le) (déploiement|déployer)|pré-requisitos|前提条件|事前準備|事前確認|準備|前置条件|准备/,
  ],
  ['criteria', /(success|exit|acceptance|done) criteria|^criteria$|done when|definition of done|erfolgskriterien|abnahmekriterien|criterios de (éxito|aceptación)|critères de (succès|réussite)|成功条件|完了条件|验收标准/],
  ['triggers', new RegExp(String.raw`\btriggers?\b|automatic ${RB}|auto[- ]?${RB}|when to ${RB}|${RB} (automatically|criteria|conditions|when)|auslöser|desencadenantes|déclencheurs|ロールバック(条件|基準)|回滚条件`)],
  ['rollback-verify', new RegExp(String.raw`${RB} verif|verify (the )?${RB}|after (a |the )?${RB}|post[- ]?${RB}|${RB}の確認|nach dem ${RB}`)],
  ['rollback', new RegExp(String.raw`${RB}|\brevert|back ?out`)],
  ['targets', /success metrics|\bkpis?\b|\bdora\b|velocity|quality metrics|team confidence|\bgoals?\b|objectives/],
  ['history', /history|release log\b|changelog|historial|historique|履歴/],
  ['troubleshooting', /troubleshoot|common (issues|problems)|known (issues|problems)|\bfaq\b|when things go wrong|debugging|issues (&|and) solutions|fehlerbehebung|problemlösung|solución de problemas|dépannage|トラブルシューティング|故障排除/],
  ['escalation', /escalat|on-?call|paging|eskalation|escalamiento|escalada|escalade|エスカレーション|升级/],
  ['flags', /feature[- ]?flags?|flag (deploy|rollout|release|ramp)|dark launch|percentage rollout/],
  ['experiments', /\ba\/b\b|experiment|split test/],
  ['thresholds', /thresholds?|\bslos?\b|alert (levels|limits)|schwellenwerte|umbrales|seuils|しきい値|閾値|阈值/],
  ['monitoring', /monitor|alerts?\b|dashboard|observab|metrics|überwachung|monitoreo|supervision|監視|监控/],
  ['celebration', /celebrat|retro(spective)?\b|kudos/],
  [
    'release',
    /release (process|procedure|steps|workflow|playbook)|deploy(ment)? (process|procedure|steps|workflow)|how (to|we) (release|deploy|ship)|^(the )?(release|deploy|deployment|rollout|shipping|stages|steps|procedure)$|standard release|rollout (process|plan|steps)|release-?(ablauf|prozess)|deployment-?(ablauf|prozess)|bereitstellung|proceso de (despliegue|lanzamiento|release)|pasos (de|del) (despliegue|lanzamiento)|procédure de (déploiement|mise en production)|processo de (deploy|implanta)|リリース手順|デプロイ手順|リリースフロー|发布流程|部署流程|上线流程/,
  ],
  ['docs', /philosophy|principles|overview|introduction|\babout\b|purpose|related|references|see also|\blinks\b|glossary|contacts?\b|evolution|knowledge base|appendix|überblick|einleitung|introducción|descripción|présentation|概要|はじめに|参考|概述|介绍/],
];

/** Kinds that keep their meaning even inside the release process (a "Rollback" heading there is not a stage). */
export const STRONG = new Set<Kind>(['emergency', 'preflight', 'criteria', 'triggers', 'thresholds', 'escalation', 'rollback-verify', 'rollback', 'targets', 'history', 'troubleshooting', 'reference']);

/** A heading's kind, or undefined when its words say nothing cockpit maps. */
export function classify(title: string): Kind | undefined {
  const t = title.toLowerCase().trim();
  if (t === '') return undefined;
  return KINDS.find(([, re]) => re.test(t))?.[0];
}

/**
 * "Option 1: Helm", "Method B – kubectl", "Alternative 2", "Opción 1", "Variante A", "方法1",
 * "If you use Helm", "Using Argo CD", "For Kubernetes deployments": one of several alternatives.
 */
const ALTERNATIVE =
  /^(?:(?:option|method|approach|alternative|variant|way|strategy|path|scenario|opci[oó]n|m[ée]todo|variante|alternativa|möglichkeit|methode|weg|m[ée]thode|choix|オプション|方法|案|パターン|方式|选项)\s*(?:[0-9]+|[A-Ha-h]|[一二三四五]|#\s*\d+|one|two|three|four)\b|(?:(?:if|when) (?:you(?:'re| are)? )?(?:use|using|run(?:ning)?|deploy(?:ing)? (?:with|on|to|via)|are on|have)|using|via|with|for|on|wenn (?:sie|du)|si (?:usa|utiliza|usas|vous utilisez)|con|mit|avec)\s+\S)/iu;

/** Environments are stages in order, never alternatives: "For staging" then "For production". */
const ENVIRONMENT_WORD = /\b(?:production|prod|staging|stage|canary|qa|uat|preprod|dev|development|test|live)\b|本番|ステージング|producción|produktion/iu;

/** "Linux", "macOS", "Windows 64-bit with Cygwin": per-platform instructions are alternatives. */
const PLATFORM = /^(?:on\s+|for\s+|en\s+|unter\s+)?(?:linux|mac(?:os| os x)?|os x|windows|ubuntu|debian|centos|fedora|rhel|alpine|msys2|cygwin|freebsd|wsl)\b/i;

export function isAlternative(title: string): boolean {
  const t = title.replace(/^[^\p{L}\p{N}]+/u, '').trim();
  if (isNumberedAlternative(t) || PLATFORM.test(t)) return true;
  return ALTERNATIVE.test(t) && !ENVIRONMENT_WORD.test(t);
}

/** A heading whose alternatives are strong enough on their own ("Option 1"), not just "Using X". */
export function isNumberedAlternative(title: string): boolean {
  return /^(?:option|method|approach|alternative|variant|way|strategy|opci[oó]n|m[ée]todo|variante|alternativa|möglichkeit|methode|m[ée]thode|オプション|方法|案|选项)\s*(?:[0-9]+|[A-Ha-h]|[一二三四五]|#\s*\d+|one|two|three)\b/iu.test(title.trim());
}

/** Whether a section is a command reference or a set of examples (never steps). */
export function isReference(title: string): boolean {
  return classify(title) === 'reference';
}
